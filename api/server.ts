// The recommendations API over plain HTTP, for the local stack and development: each request becomes the API
// Gateway proxy event the Lambda handler takes, and its result the response.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { handle, type ApiConfig } from './handler'

export function apiListener(config: ApiConfig): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const event = {
      httpMethod: req.method,
      path: url.pathname,
      queryStringParameters: Object.fromEntries(url.searchParams),
      headers: req.headers as Record<string, string>
    }
    handle(event, config).then(
      (result) => {
        res.writeHead(result.statusCode, result.headers)
        res.end(result.body)
      },
      (error: unknown) => {
        res.writeHead(500, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ message: (error as Error).message }))
      }
    )
  }
}

/** Serves the API on a port (0: any free one); resolves with its URL. */
export async function serveApi(
  config: ApiConfig,
  port = 0,
  host = '127.0.0.1'
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(apiListener(config))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  const { port: bound } = server.address() as AddressInfo
  return {
    url: `http://${host}:${bound}`,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}
