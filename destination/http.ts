// The slice of actions-core's RequestClient that the shared modules use. The Actions destination passes the
// framework's `request`; the Functions build passes a fetch-based client (functions/http.ts). The modules that send
// to Personalize and Segment take this type, so they never load the framework: the Functions bundle stays small.
export interface HttpOptions {
  method: 'POST' | 'GET'
  headers?: Record<string, string>
  body?: string
  /** A JSON body (sent with `content-type: application/json`). */
  json?: unknown
  /** HTTP Basic credentials. */
  username?: string
  password?: string
  /** Answers are inspected, never thrown: every status is a result. */
  throwHttpErrors: false
  skipResponseCloning?: boolean
}

export interface HttpResponse {
  status: number
  headers: { get(name: string): string | null }
  content: string
}

export type HttpClient = (url: string, options: HttpOptions) => Promise<HttpResponse>
