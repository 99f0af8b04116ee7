/**
 * Creates or updates a Segment Destination Function through Segment's Public API, then asks Segment to deploy it.
 *
 * The endpoints, parameters and envelopes follow @segment/public-api-sdk-typescript (api/functionsApi.ts,
 * api/workspacesApi.ts and the model/ files):
 *
 * - `GET /functions?resourceType=DESTINATION&pagination.count=N[&pagination.cursor=C]` (listFunctions) answers
 *   `{ data: { functions: [{ id, displayName, … }], pagination: { current, next?, … } } }`; `next` is absent or null
 *   on the last page. Segment's docs spell pagination query parameters with dots (`pagination.count`).
 * - `POST /functions` (createFunction) with `{ code, displayName, resourceType, settings?, description?, logoUrl? }`
 *   answers `{ data: { function: { id, displayName, … } } }`.
 * - `PATCH /functions/{functionId}` (updateFunction) with `{ code?, displayName?, settings?, description?, logoUrl? }`
 *   answers `{ data: { function: { … } } }`.
 * - `POST /functions/{functionId}/deploy` (createFunctionDeployment), no body, answers
 *   `{ data: { functionDeployment: { status: 'SUCCESS' } } }`. The SDK documents it as "Only applicable to Source
 *   Function instances", so for a Destination Function Segment may refuse it: that is reported, not thrown.
 * - `GET /` (getWorkspace) answers `{ data: { workspace: { id, slug, name } } }`. Segment appends the workspace to a
 *   Destination Function's display name ("personalize (Acme)"), so a function is found by its exact name, or else by
 *   its name followed by this workspace's name in parentheses.
 * - Errors come as `{ errors: [{ type, message?, field?, status? }] }` (model/requestErrorEnvelope.ts).
 */

export const DEFAULT_API_BASE = 'https://api.segmentapis.com'
export const EU_API_BASE = 'https://eu1.api.segmentapis.com'

/** Functions asked for per list page (the API accepts 1 to 200, or 1 000 in newer versions). */
export const PAGE_SIZE = 200
/** A pagination loop that has not ended after this many pages is a fault, not a workspace. */
const MAX_PAGES = 500
const REQUEST_TIMEOUT_MS = 30_000
const ROLE_HINT = 'the token needs the Workspace Owner or Functions Admin role'

export interface FunctionSetting {
  name: string
  label: string
  description: string
  type: 'STRING' | 'BOOLEAN' | 'ARRAY' | 'TEXT_MAP'
  required: boolean
  sensitive: boolean
}

export interface DeployRequest {
  /** The built function source. */
  code: string
  /** Functions are found by this name: the function is updated if one exists, else created. */
  displayName: string
  description?: string
  settings: FunctionSetting[]
  /** A Segment Public API token. */
  token: string
  /** Default https://api.segmentapis.com; EU workspaces use https://eu1.api.segmentapis.com. */
  apiBase?: string
}

export interface DeployResult {
  functionId: string
  created: boolean
  /** Whether Segment confirmed the deployment (`status: 'SUCCESS'`). */
  deployed: boolean
  /** Human-readable lines of what was done, e.g. `created function personalize (id dfn_123)`. */
  steps: string[]
}

/** One entry of Segment's `{ errors: [...] }` envelope. */
export interface SegmentApiError {
  message: string
  type?: string
  field?: string
}

export interface DeployErrorOptions {
  /** The HTTP status Segment answered with, if it answered. */
  status?: number
  /** Segment's error messages, if it sent any. */
  apiErrors?: SegmentApiError[]
  cause?: unknown
}

/** A failure the user can act on; its message says what went wrong and, where it can, what to do about it. */
export class DeployError extends Error {
  override name = 'DeployError'
  readonly status: number | undefined
  readonly apiErrors: SegmentApiError[]

  constructor(message: string, options: DeployErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.status = options.status
    this.apiErrors = options.apiErrors ?? []
  }
}

interface Api {
  base: string
  token: string
}

interface FunctionSummary {
  id: string
  displayName: string
}

type Method = 'GET' | 'POST' | 'PATCH'

export async function deployFunction(request: DeployRequest): Promise<DeployResult> {
  const api = { base: apiBaseOf(request.apiBase), token: tokenOf(request.token) }
  const name = typeof request.displayName === 'string' ? request.displayName.trim() : ''
  if (name === '') throw new DeployError('Missing displayName: the function is found (or created) by this name.')
  if (typeof request.code !== 'string' || request.code.trim() === '') {
    throw new DeployError(`Missing code for function ${name}: pass the built function source.`)
  }
  const steps: string[] = []

  const existing = await findFunction(api, name, steps)
  let functionId: string
  if (existing) {
    functionId = existing.id
    const body = {
      code: request.code,
      settings: request.settings,
      ...(request.description === undefined ? {} : { description: request.description })
    }
    await call(api, 'PATCH', `/functions/${encodeURIComponent(functionId)}`, { body })
    steps.push(`updated function ${name} (id ${functionId}): ${describeChange(request)}`)
  } else {
    const body = {
      code: request.code,
      displayName: name,
      resourceType: 'DESTINATION',
      settings: request.settings,
      ...(request.description === undefined ? {} : { description: request.description })
    }
    const what = 'POST /functions'
    const createdFunction = functionOf(await call(api, 'POST', '/functions', { body }))
    if (!createdFunction) throw unexpected(what, 'no data.function.id')
    functionId = createdFunction.id
    const listedAs = createdFunction.displayName && createdFunction.displayName !== name
    steps.push(
      `created function ${name} (id ${functionId})` +
        (listedAs ? `; Segment lists it as "${createdFunction.displayName}"` : '')
    )
  }

  const deployed = await deploy(api, functionId, name, steps)
  return { functionId, created: !existing, deployed, steps }
}

function tokenOf(token: unknown): string {
  if (typeof token !== 'string' || token.trim() === '') {
    throw new DeployError(
      `Missing Segment Public API token: create one in Segment under Settings → Access Management → Tokens; ${ROLE_HINT}.`
    )
  }
  return token.trim()
}

function apiBaseOf(apiBase: string | undefined): string {
  if (apiBase === undefined) return DEFAULT_API_BASE
  let url: URL
  try {
    url = new URL(apiBase)
  } catch (error) {
    throw new DeployError(`apiBase "${apiBase}" is not a URL (e.g. ${DEFAULT_API_BASE} or ${EU_API_BASE}).`, {
      cause: error
    })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DeployError(`apiBase "${apiBase}" must be an http(s) URL (e.g. ${DEFAULT_API_BASE}).`)
  }
  return url.href.replace(/\/+$/, '')
}

/** Lists every Destination Function, page by page, and picks the one named `name` (see the header comment). */
async function findFunction(api: Api, name: string, steps: string[]): Promise<FunctionSummary | undefined> {
  const { functions, pages } = await listDestinationFunctions(api)
  const listed = `${functions.length} destination function${functions.length === 1 ? '' : 's'} over ${pages} page${pages === 1 ? '' : 's'}`

  const exact = functions.filter((fn) => fn.displayName === name)
  if (exact.length > 1) throw ambiguous(name, exact)
  if (exact[0]) {
    steps.push(`found function ${name} (id ${exact[0].id}) among ${listed}`)
    return exact[0]
  }

  // Segment appends the workspace's name to Destination Functions' display names: "personalize (Acme)".
  const suffixed = functions.filter((fn) => fn.displayName.startsWith(`${name} (`) && fn.displayName.endsWith(')'))
  if (suffixed.length > 0) {
    const workspace = await workspaceName(api)
    const matches = suffixed.filter((fn) => fn.displayName === `${name} (${workspace})`)
    if (matches.length > 1) throw ambiguous(name, matches)
    if (matches[0]) {
      steps.push(`found function ${name} as "${matches[0].displayName}" (id ${matches[0].id}) among ${listed}`)
      return matches[0]
    }
  }
  steps.push(`no function named ${name} among ${listed}`)
  return undefined
}

async function listDestinationFunctions(api: Api): Promise<{ functions: FunctionSummary[]; pages: number }> {
  const what = 'GET /functions'
  const functions: FunctionSummary[] = []
  const seen = new Set<string>()
  let cursor: string | undefined
  for (let page = 1; ; page++) {
    const query = new URLSearchParams({ resourceType: 'DESTINATION', 'pagination.count': String(PAGE_SIZE) })
    if (cursor !== undefined) query.set('pagination.cursor', cursor)
    const data = dataOf(await call(api, 'GET', '/functions', { query }), what)
    if (!Array.isArray(data.functions)) throw unexpected(what, 'no data.functions list')
    for (const item of data.functions as unknown[]) {
      if (!isRecord(item) || typeof item.id !== 'string' || typeof item.displayName !== 'string') continue
      if (item.resourceType !== undefined && item.resourceType !== 'DESTINATION') continue
      functions.push({ id: item.id, displayName: item.displayName })
    }
    const next = isRecord(data.pagination) ? data.pagination.next : undefined
    if (typeof next !== 'string' || next === '') return { functions, pages: page }
    if (seen.has(next) || page >= MAX_PAGES) {
      throw new DeployError(`Segment's pagination of ${what} does not end (page ${page}, cursor "${next}").`)
    }
    seen.add(next)
    cursor = next
  }
}

async function workspaceName(api: Api): Promise<string> {
  const data = dataOf(await call(api, 'GET', '/'), 'GET /')
  const name = isRecord(data.workspace) ? data.workspace.name : undefined
  if (typeof name !== 'string') throw unexpected('GET /', 'no data.workspace.name')
  return name
}

/** Asks Segment to deploy the function's latest version; says whether Segment confirmed it. */
async function deploy(api: Api, functionId: string, name: string, steps: string[]): Promise<boolean> {
  const path = `/functions/${encodeURIComponent(functionId)}/deploy`
  let body: unknown
  try {
    body = await call(api, 'POST', path)
  } catch (error) {
    // Segment documents this endpoint for Source Functions only: a refusal leaves the saved function in place.
    if (error instanceof DeployError && (error.status === 400 || error.status === 404 || error.status === 422)) {
      const reason = describeErrors(error.apiErrors) || `HTTP ${error.status}`
      steps.push(
        `Segment did not deploy function ${name} (id ${functionId}): ${reason} ` +
          '(the Public API documents POST /functions/{functionId}/deploy for Source Functions only)'
      )
      return false
    }
    throw error
  }
  const data = dataOf(body, `POST ${path}`)
  const status = isRecord(data.functionDeployment) ? data.functionDeployment.status : undefined
  if (status === 'SUCCESS') {
    steps.push(`deployed function ${name} (id ${functionId})`)
    return true
  }
  steps.push(`asked Segment to deploy function ${name} (id ${functionId}); deployment status: ${String(status)}`)
  return false
}

/** One Public API call: JSON in and out, the token as a Bearer header; any failure becomes a DeployError. */
async function call(
  api: Api,
  method: Method,
  path: string,
  options: { query?: URLSearchParams; body?: unknown } = {}
): Promise<unknown> {
  const what = `${method} ${path}`
  const url = `${api.base}${path}${options.query ? `?${options.query.toString()}` : ''}`
  const headers: Record<string, string> = { Authorization: `Bearer ${api.token}`, Accept: 'application/json' }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  let response: Response
  let text: string
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    })
    text = await response.text()
  } catch (error) {
    throw networkError(api, what, error)
  }
  const parsed = parseJson(text)
  if (!response.ok) throw httpError(api, what, response, parsed, text)
  if (parsed === undefined && text.trim() !== '') throw unexpected(what, `a body that is not JSON: ${snippet(text)}`)
  return parsed
}

function networkError(api: Api, what: string, error: unknown): DeployError {
  const name = error instanceof Error ? error.name : ''
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new DeployError(
      `Segment Public API at ${api.base} did not answer ${what} within ${REQUEST_TIMEOUT_MS / 1000} s.`,
      {
        cause: error
      }
    )
  }
  return new DeployError(`Could not reach the Segment Public API at ${api.base} (${what}): ${reasonOf(error)}.`, {
    cause: error
  })
}

/** fetch's own message is a bare "fetch failed": the socket-level reason is in its cause. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause: unknown = error.cause
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code
    return `${error.message} (${code && !cause.message.includes(code) ? `${code}: ` : ''}${cause.message})`
  }
  return error.message
}

function httpError(api: Api, what: string, response: Response, body: unknown, text: string): DeployError {
  const status = response.status
  const apiErrors = apiErrorsOf(body)
  const detail = describeErrors(apiErrors) || snippet(text) || response.statusText
  const said = detail ? `: ${detail}` : ''
  const options = { status, apiErrors }
  const regionHint = api.base === DEFAULT_API_BASE ? ` (for an EU workspace, set apiBase to ${EU_API_BASE})` : ''
  switch (status) {
    case 401:
      return new DeployError(
        `Segment rejected the token (401 Unauthorized) on ${what}${said}. Check that it is a valid Public API token ` +
          `for this workspace's region${regionHint}; ${ROLE_HINT}.`,
        options
      )
    case 403:
      return new DeployError(
        `The token is not allowed to ${what} (403 Forbidden)${said}. ${capitalised(ROLE_HINT)}, and the workspace ` +
          'needs the Functions feature.',
        options
      )
    case 404:
      return new DeployError(
        `Segment answered 404 Not Found to ${what}${said}. Check that the function exists, that the workspace has ` +
          `the Functions feature, and that apiBase matches the workspace's region${regionHint}.`,
        options
      )
    case 422:
      return new DeployError(`Segment rejected ${what} (422 validation failure)${said}.`, options)
    case 429: {
      const retryAfter = response.headers.get('retry-after')
      return new DeployError(
        `Segment rate-limited ${what} (429 Too Many Requests)${said}; try again ` +
          (retryAfter ? `in ${retryAfter} s.` : 'later.'),
        options
      )
    }
    default:
      return new DeployError(`Segment Public API answered ${status} to ${what}${said}.`, options)
  }
}

function apiErrorsOf(body: unknown): SegmentApiError[] {
  if (!isRecord(body) || !Array.isArray(body.errors)) return []
  const errors: SegmentApiError[] = []
  for (const entry of body.errors as unknown[]) {
    if (!isRecord(entry) || typeof entry.message !== 'string') continue
    errors.push({
      message: entry.message,
      ...(typeof entry.type === 'string' ? { type: entry.type } : {}),
      ...(typeof entry.field === 'string' ? { field: entry.field } : {})
    })
  }
  return errors
}

function describeErrors(errors: SegmentApiError[]): string {
  return errors.map((e) => (e.field ? `${e.message} (field ${e.field})` : e.message)).join('; ')
}

function describeChange(request: DeployRequest): string {
  const settings = `${request.settings.length} setting${request.settings.length === 1 ? '' : 's'}`
  return `code (${Buffer.byteLength(request.code)} bytes), ${settings}${request.description === undefined ? '' : ', description'}`
}

function dataOf(body: unknown, what: string): Record<string, unknown> {
  if (isRecord(body) && isRecord(body.data)) return body.data
  throw unexpected(what, 'no data object')
}

function functionOf(body: unknown): FunctionSummary | undefined {
  const data = isRecord(body) ? body.data : undefined
  const fn = isRecord(data) ? data.function : undefined
  if (!isRecord(fn) || typeof fn.id !== 'string') return undefined
  return { id: fn.id, displayName: typeof fn.displayName === 'string' ? fn.displayName : '' }
}

function ambiguous(name: string, functions: FunctionSummary[]): DeployError {
  const list = functions.map((fn) => `${fn.id} ("${fn.displayName}")`).join(', ')
  return new DeployError(`Several destination functions are named ${name}: ${list}. Rename or delete all but one.`)
}

function unexpected(what: string, detail: string): DeployError {
  return new DeployError(`Unexpected answer from Segment to ${what}: ${detail}.`)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
