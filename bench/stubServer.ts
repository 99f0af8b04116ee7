// A loopback server that answers like Personalize (PutEvents, PutUsers, PutItems: 200 and an empty body;
// GetRecommendations: 25 items) and like Segment's Tracking API (/v1/batch, /v1/identify…), and counts what it received.
// It runs in its own process so that the benchmarks' CPU figures are the client's alone.
import http from 'node:http'

let calls = 0
let events = 0
let byPath: Record<string, number> = {}

const RECOMMENDATIONS = JSON.stringify({
  itemList: Array.from({ length: 25 }, (_, i) => ({ itemId: `prod-${i * 7}`, score: 1 - i / 25 })),
  recommendationId: 'RID-bench'
})

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    calls++
    const path = req.url ?? ''
    byPath[path] = (byPath[path] ?? 0) + 1
    // Count the interactions without a full parse: each event carries exactly one "eventType".
    if (path === '/events') events += Buffer.concat(chunks).toString().split('"eventType"').length - 1
    const body = path === '/recommendations' ? RECOMMENDATIONS : path.startsWith('/v1/') ? '{"success":true}' : ''
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-amzn-requestid': String(calls),
      'content-length': Buffer.byteLength(body)
    })
    res.end(body)
  })
})

server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 })
})

process.on('message', (message: string) => {
  if (message === 'count') {
    process.send?.({ calls, events, byPath })
    calls = 0
    events = 0
    byPath = {}
  } else if (message === 'stop') server.close(() => process.exit(0))
})
