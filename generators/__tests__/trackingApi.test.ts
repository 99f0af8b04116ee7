import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { replay } from '../replay'
import { GeneratorError } from '../sinks/sink'
import { checkReachable, trackingApiSink } from '../sinks/trackingApi'
import { defaultSource, SOURCE_NAMES } from '../sources'
import { FROM, messagesOf, testOptions, type Line } from './fixtures'

interface Received {
  writeKey: string
  path: string
  userAgent: string
  batch: Array<Line & { timestamp: string }>
}

/** A local HTTP server answering like Segment's /v1/batch, recording each request; `reject` write keys get 400. */
async function segmentServer(reject = new Set<string>()) {
  const requests: Received[] = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const writeKey = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
        .toString()
        .replace(/:$/, '')
      requests.push({
        writeKey,
        path: req.url ?? '',
        userAgent: req.headers['user-agent'] ?? '',
        ...(JSON.parse(body) as { batch: Received['batch'] })
      })
      res.writeHead(reject.has(writeKey) ? 400 : 200, { 'content-type': 'application/json' })
      res.end(reject.has(writeKey) ? '{"code":"invalid_write_key"}' : '{"success":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { server, url, requests, close: () => new Promise((resolve) => server.close(resolve)) }
}

const options = { ...testOptions({ usersPerDay: 60 }), to: FROM + 1 }
const sources = SOURCE_NAMES.map(defaultSource)

test('analytics-node delivers the replay: one client per source, its write key, historical timestamps, stable messageIds', async () => {
  const segment = await segmentServer()
  try {
    const summary = await replay(options, trackingApiSink({ host: segment.url, sources }), () => undefined)
    const expected = messagesOf(options, 2)
    const received = segment.requests.flatMap((request) => request.batch.map((message) => ({ request, message })))
    expect(summary).toBe(`${expected.length} messages sent to ${segment.url}, ${expected.length} accepted`)
    expect(received).toHaveLength(expected.length)
    expect(new Set(segment.requests.map((request) => request.path))).toEqual(new Set(['/v1/batch']))
    expect(segment.requests.every((request) => request.userAgent.startsWith('analytics-node'))).toBe(true)
    const byId = new Map(expected.map((message) => [message.messageId, message]))
    for (const { request, message } of received) {
      const original = byId.get(message.messageId)!
      // The same message the files hold: same id, same event, same people, the event's own time, its source's key.
      expect(original).toBeDefined()
      const { type, userId, anonymousId, event, originalTimestamp } = original
      expect([message.type, message.userId, message.anonymousId, message.event, message.timestamp]).toEqual([
        type,
        userId,
        anonymousId,
        event,
        originalTimestamp
      ])
      expect(message.context.library.name).toBe('@segment/analytics-node')
      expect(request.writeKey).toBe(sources.find((source) => source.sourceId === original.projectId)!.writeKey)
    }
  } finally {
    await segment.close()
  }
}, 60_000)

test('what Segment rejects is reported per source, and the run fails', async () => {
  const email = sources.find((source) => source.name === 'email')!
  const segment = await segmentServer(new Set([email.writeKey]))
  try {
    const emails = messagesOf(options, 2).filter((message) => message.projectId === email.sourceId).length
    expect(emails).toBeGreaterThan(0)
    await expect(replay(options, trackingApiSink({ host: segment.url, sources }), () => undefined)).rejects.toThrow(
      new RegExp(`Segment rejected ${emails}: email: ${emails} \\(\\[400\\] Bad Request\\)$`)
    )
  } finally {
    await segment.close()
  }
}, 60_000)

test('an unreachable host is reported before anything is generated', async () => {
  const segment = await segmentServer()
  await segment.close()
  await expect(checkReachable(segment.url)).rejects.toThrow(
    new GeneratorError(`Cannot reach ${segment.url}: ECONNREFUSED`)
  )
  await expect(checkReachable('api.segment.io')).rejects.toThrow('--host must be a URL such as https://api.segment.io')
})
