// The HttpClient the Lambda build sends with: Node's own http and https modules over keep-alive connections, reused
// across warm invocations (Lambda keeps the process between them). Node's fetch (undici) costs several times the CPU
// per request (docs/performance.md, lambda), and each event here is three requests. Each request may take what is
// left of the invocation's deadline; one that does not end by then is a TimeoutError (retryable).
import http from 'node:http'
import https from 'node:https'
import type { HttpClient, HttpOptions, HttpResponse } from '../destination/http'
import { timeoutError, type Deadline } from '../functions/deadline'

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true })
}

function headersFor(options: HttpOptions, body: string | undefined): Record<string, string | number> {
  const headers: Record<string, string | number> = { ...options.headers }
  if (options.json !== undefined) headers['content-type'] = 'application/json'
  if (options.username !== undefined)
    headers.authorization = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body)
  return headers
}

export function nodeClient(deadline: Deadline): HttpClient {
  return (url, options) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const target = new URL(url)
      const where = `${options.method} ${target.origin}`
      const ms = deadline.remaining()
      if (ms <= 0) return reject(timeoutError(`${where}: the invocation's ${deadline.budgetMs} ms were used up`))
      const body = options.json !== undefined ? JSON.stringify(options.json) : options.body
      const transport = target.protocol === 'https:' ? https : http
      const request = transport.request(
        target,
        { method: options.method, headers: headersFor(options, body), agent: agents[target.protocol as 'http:'] },
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('error', reject)
          response.on('end', () => {
            clearTimeout(timer)
            resolve({
              status: response.statusCode ?? 0,
              headers: { get: (name) => header(response.headers[name.toLowerCase()]) },
              content: Buffer.concat(chunks).toString()
            })
          })
        }
      )
      const timer = setTimeout(
        () => request.destroy(timeoutError(`${where} took longer than the ${ms} ms left of the invocation`)),
        ms
      )
      request.on('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      request.end(body)
    })
}

function header(value: string | string[] | undefined): string | null {
  if (value === undefined) return null
  return Array.isArray(value) ? value.join(', ') : value
}
