import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Destination, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import definition from '../../destination'
import { presets } from '../../destination/presets'
import { sampleEvents } from './sampleEvents'

export const exampleOptions = { endpoint: { type: 'string' as const } }

interface Received {
  path: string
  body: unknown
}

/** A loopback server that answers like Personalize's PutEvents (200, empty body) and keeps what it was sent. */
async function startLocalEndpoint(): Promise<{ url: string; received: Received[]; close: () => void }> {
  const received: Received[] = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(body) as unknown })
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': `local-${received.length}` })
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, received, close: () => server.close() }
}

// The framework answers events that a subscription does not match with this message; they are not results.
const NOT_SUBSCRIBED = 'does not match the subscription'

export async function runExample(values: Record<string, string | boolean | undefined>): Promise<number> {
  const local = typeof values.endpoint === 'string' ? undefined : await startLocalEndpoint()
  const endpoint = typeof values.endpoint === 'string' ? values.endpoint : local!.url
  const destination = new Destination(definition)
  const settings = {
    region: 'us-west-2',
    trackingId: 'example-tracking-id',
    accessKeyId: 'AKIAEXAMPLE',
    secretAccessKey: 'example-secret',
    personalizeEventsEndpoint: endpoint
  }
  const events: SegmentEvent[] = sampleEvents()
  const outcomes: string[] = events.map(() => 'no preset matched')
  try {
    // As Segment runs an Actions destination: each preset is a subscription, and each gets the batch.
    for (const preset of presets) {
      if (preset.type !== 'automatic') continue
      const subscription = {
        subscribe: preset.subscribe,
        partnerAction: preset.partnerAction,
        mapping: preset.mapping as JSONObject
      }
      const [result] = await destination.onBatch(events, { ...settings, subscription })
      result?.multistatus?.forEach((status, i) => {
        if ('errormessage' in status && status.errormessage.includes(NOT_SUBSCRIBED)) return
        outcomes[i] =
          `${preset.name} → ${status.status}${'errormessage' in status ? ` ${status.errormessage}` : ' sent'}`
      })
    }
  } finally {
    local?.close()
  }
  if (local) {
    console.log(`PutEvents requests received by the local endpoint (${local.received.length}):`)
    for (const { path, body } of local.received) console.log(`POST ${path}\n${JSON.stringify(body, null, 2)}`)
  } else console.log(`Sent to ${endpoint}.`)
  console.log('\nResult per Segment event:')
  events.forEach((event, i) => console.log(`  ${i + 1}. ${event.event} (${event.messageId}): ${outcomes[i]}`))
  return 0
}
