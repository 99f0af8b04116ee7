// The HttpClient the shared modules call, on the Functions runtime's fetch. Each request gives up after 4 s, so that a
// slow answer becomes a RetryError inside the runtime's 5 s limit rather than a timeout of the whole invocation.
import type { HttpClient, HttpOptions, HttpResponse } from '../destination/http'

export const REQUEST_TIMEOUT_MS = 4000

function headersFor(options: HttpOptions): Record<string, string> {
  const headers = { ...options.headers }
  if (options.json !== undefined) headers['content-type'] = 'application/json'
  if (options.username !== undefined)
    headers.authorization = `Basic ${btoa(`${options.username}:${options.password ?? ''}`)}`
  return headers
}

export const fetchClient: HttpClient = async (url, options): Promise<HttpResponse> => {
  const response = await fetch(url, {
    method: options.method,
    headers: headersFor(options),
    body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  })
  return { status: response.status, headers: response.headers, content: await response.text() }
}
