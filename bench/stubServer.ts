// A loopback server that answers like Personalize's PutEvents (200, empty body) and counts what it received.
// It runs in its own process so that the benchmark's CPU figures are the client's alone.
import http from 'node:http'

let calls = 0
let events = 0

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    calls++
    // Count the interactions without a full parse: each event carries exactly one "eventType".
    events += Buffer.concat(chunks).toString().split('"eventType"').length - 1
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': String(calls), 'content-length': '0' })
    res.end()
  })
})

server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 })
})

process.on('message', (message: string) => {
  if (message === 'count') {
    process.send?.({ calls, events })
    calls = 0
    events = 0
  } else if (message === 'stop') server.close(() => process.exit(0))
})
