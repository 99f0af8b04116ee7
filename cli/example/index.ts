import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Destination, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import definition from '../../destination'
import type { Settings } from '../../destination/generated-types'
import { presets } from '../../destination/presets'
import { DELIBERATELY_BAD, sampleEvents } from './sampleEvents'
export { exampleOptions } from './options'

type Values = Record<string, string | boolean | string[] | undefined>
const text = (value: string | boolean | string[] | undefined) => (typeof value === 'string' ? value : undefined)

/**
 * The destination settings for the run: a real event tracker when --tracking-id is given (credentials from
 * --role-arn/--external-id, or the environment's access key pair), else dummy ones for the local endpoint.
 */
function settingsFor(values: Values, localUrl: string | undefined): Settings {
  const region = text(values.region) ?? 'us-west-2'
  const personalizeEventsEndpoint = text(values.endpoint) ?? localUrl
  const trackingId = text(values['tracking-id'])
  if (!trackingId) {
    return {
      region,
      trackingId: 'example-tracking-id',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'example-secret',
      personalizeEventsEndpoint
    }
  }
  const roleArn = text(values['role-arn'])
  if (roleArn)
    return {
      region,
      trackingId,
      iamRoleArn: roleArn,
      iamExternalId: text(values['external-id']),
      personalizeEventsEndpoint
    }
  return {
    region,
    trackingId,
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    personalizeEventsEndpoint
  }
}

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

export async function runExample(values: Values): Promise<number> {
  const remote = values.endpoint !== undefined || values['tracking-id'] !== undefined
  const local = remote ? undefined : await startLocalEndpoint()
  const settings = settingsFor(values, local?.url)
  const destination = new Destination(definition)
  const events: SegmentEvent[] = sampleEvents()
  const outcomes: string[] = events.map(() => 'no preset matched')
  const failed = new Set<number>()
  try {
    // As Segment runs an Actions destination: each preset is a subscription, and each gets the batch. The example
    // shows trackEvent's; the other actions need campaign, dataset and Segment settings.
    for (const preset of presets) {
      if (preset.type !== 'automatic' || preset.partnerAction !== 'trackEvent') continue
      const subscription = {
        subscribe: preset.subscribe,
        partnerAction: preset.partnerAction,
        mapping: preset.mapping as JSONObject
      }
      const [result] = await destination.onBatch(events, { ...settings, subscription })
      result?.multistatus?.forEach((status, i) => {
        if ('errormessage' in status && status.errormessage.includes(NOT_SUBSCRIBED)) return
        if (status.status !== 200) failed.add(i)
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
  } else console.log(`Sent to ${settings.personalizeEventsEndpoint ?? `Personalize in ${settings.region}`}.`)
  console.log('\nResult per Segment event:')
  events.forEach((event, i) => console.log(`  ${i + 1}. ${event.event} (${event.messageId}): ${outcomes[i]}`))
  // The one deliberately bad event is expected to fail; any other failure is the run's.
  return [...failed].some((i) => events[i]!.messageId !== DELIBERATELY_BAD) ? 1 : 0
}
