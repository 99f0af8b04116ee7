// The HttpClient the shared modules call, on the Functions runtime's fetch: node-fetch 2.6.0 on Segment's documented
// runtime (https://segment.com/docs/connections/functions/dependencies/), or current Node's fetch. Only what both
// offer is used: headers as a plain object, `response.headers.get`, `response.text()`. Each request may take what is
// left of the invocation's deadline (deadline.ts): node-fetch 2's `timeout` option, an AbortController where the
// runtime has one (Node 14 has none as a global), and a timer that gives up on the request whatever fetch does.
import type { HttpClient, HttpOptions, HttpResponse } from '../destination/http'
import { timeoutError, withinDeadline, type Deadline } from './deadline'
import type { RuntimeFetch } from './runtime'

function base64(text: string): string {
  // Segment provides btoa (https://segment.com/docs/connections/functions/dependencies/); Node 14 has no global one.
  return typeof btoa === 'function' ? btoa(text) : Buffer.from(text, 'binary').toString('base64')
}

function headersFor(options: HttpOptions): Record<string, string> {
  const headers = { ...options.headers }
  if (options.json !== undefined) headers['content-type'] = 'application/json'
  if (options.username !== undefined)
    headers.authorization = `Basic ${base64(`${options.username}:${options.password ?? ''}`)}`
  return headers
}

/** An HttpClient whose requests end by the deadline; a request that does not is a TimeoutError (retryable). */
export function fetchClient(deadline: Deadline): HttpClient {
  return async (url, options): Promise<HttpResponse> => {
    const ms = deadline.remaining()
    const where = `${options.method} ${new URL(url).origin}`
    if (ms <= 0) throw timeoutError(`${where}: the invocation's ${deadline.budgetMs} ms were used up`)
    const controller = typeof AbortController === 'function' ? new AbortController() : undefined
    const send = async (): Promise<HttpResponse> => {
      // The runtime's fetch, by its bare name (a global or a parameter of Segment's wrapper).
      const response = await (fetch as unknown as RuntimeFetch)(url, {
        method: options.method,
        headers: headersFor(options),
        body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
        // node-fetch 2 (https://github.com/node-fetch/node-fetch/tree/v2.6.0#options); other fetches ignore it.
        timeout: ms,
        signal: controller?.signal
      })
      return { status: response.status, headers: response.headers, content: await response.text() }
    }
    try {
      return await withinDeadline(send(), deadline, where)
    } catch (error) {
      // node-fetch 2's own timeout (FetchError type request-timeout) and an abort are the same deadline.
      const { name, type } = (error ?? {}) as { name?: string; type?: string }
      if (type === 'request-timeout' || name === 'AbortError')
        throw timeoutError(`${where} took longer than the ${ms} ms left of the invocation`)
      throw error
    } finally {
      controller?.abort()
    }
  }
}
