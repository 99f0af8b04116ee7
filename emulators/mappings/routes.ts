// The mappings view's HTTP side, served by the local stack beside Personalize and Segment: the page at /mappings and
// its JSON API under /_local/. Only these exact paths are taken; everything else passes to the stack's other routes.
import type http from 'node:http'
import path from 'node:path'
import type { InputField } from '@segment/actions-core'
import definition from '../../destination'
import { lingerAfterAnswer, pageFiles, requestTarget, sendJson, type PageFile } from '../http'
import { readBody } from '../personalize/protocol'
import { jsonDepth, MAX_DEPTH } from '../segment/trackingApi'
import { samples } from './samples'
import { ACTION_NAMES, checkSubscriptions, type SubscriptionStore } from './subscriptions'
import { InvalidTestEvent, type Tester } from './tester'

const MAX_BODY_BYTES = 1024 * 1024

const PAGES: Record<string, PageFile> = {
  '/mappings': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/mappings/mappings.js': { file: 'mappings.js', type: 'text/javascript; charset=utf-8' },
  '/mappings/mappings.css': { file: 'mappings.css', type: 'text/css; charset=utf-8' }
}

class BadRequestBody extends Error {
  override name = 'BadRequestBody'
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

/** Each action's fields as the view shows them, in the definition's order. */
export function actionFields() {
  const field = (name: string, input: InputField) => ({
    name,
    label: input.label,
    description: input.description,
    type: input.type,
    required: input.required === true,
    multiple: input.multiple === true,
    default: input.default,
    // Segment's UI does not show these; the editor keeps their values without showing them.
    hidden: input.unsafe_hidden === true,
    ...(input.allowNull ? { allowNull: true } : {}),
    ...(input.defaultObjectUI ? { defaultObjectUI: input.defaultObjectUI } : {}),
    ...(input.properties
      ? { properties: Object.fromEntries(Object.entries(input.properties).map(([key, sub]) => [key, sub.label])) }
      : {})
  })
  return Object.fromEntries(
    ACTION_NAMES.map((name) => {
      const action = definition.actions[name]!
      return [
        name,
        {
          title: action.title,
          description: action.description,
          fields: Object.entries(action.fields).map(([key, input]) => field(key, input))
        }
      ]
    })
  )
}

const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  sendJson(res, status, body, { 'cache-control': 'no-store', ...headers }, 2)

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const text = await readBody(req, MAX_BODY_BYTES)
  if (text === undefined) throw new BadRequestBody(413, 'The request body is over 1 MB.')
  // As the Tracking API refuses them: deeper nesting overflows the stack when the answer is serialized.
  if (jsonDepth(text) > MAX_DEPTH)
    throw new BadRequestBody(400, `The request body nests more than ${MAX_DEPTH} levels deep.`)
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new BadRequestBody(400, `The request body is not valid JSON: ${(error as Error).message}`)
  }
}

/** The subscriptions a save or a check is given: `{ subscriptions: [...] }`, or the list itself. */
async function readList(req: http.IncomingMessage): Promise<unknown> {
  const body = await readJson(req)
  return body !== null && typeof body === 'object' && 'subscriptions' in body ? body.subscriptions : body
}

export function createMappingsRoutes(options: { store: SubscriptionStore; tester: Tester }) {
  const { store, tester } = options
  const mappings = () => ({
    file: store.file ?? null,
    customized: store.customized,
    subscriptions: store.list(),
    actions: actionFields()
  })

  type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void
  const routes: Record<string, Partial<Record<string, Handler>>> = {
    '/_local/mappings': {
      GET: (_req, res) => send(res, 200, mappings()),
      PUT: async (req, res) => {
        const list = await readList(req)
        const errors = store.replace(list)
        if (errors.length > 0) return send(res, 400, { errors })
        send(res, 200, mappings())
      }
    },
    // The save's checks without saving: the editor names problems as the user types.
    '/_local/mappings/check': {
      POST: async (req, res) => {
        const list = await readList(req)
        const checked = checkSubscriptions(list)
        send(res, 200, { errors: checked.ok ? [] : checked.problems })
      }
    },
    '/_local/mappings/reset': {
      POST: (req, res) => {
        req.resume()
        store.reset()
        send(res, 200, mappings())
      }
    },
    '/_local/test': {
      POST: async (req, res) => {
        const body = await readJson(req)
        if (body === null || typeof body !== 'object' || !('event' in body))
          return send(res, 400, { error: 'Send {"event": {…}}: the event as Segment shows it.' })
        try {
          send(res, 200, await tester.test(body.event))
        } catch (error) {
          if (!(error instanceof InvalidTestEvent)) throw error
          send(res, 400, { error: error.message })
        }
      }
    },
    '/_local/samples': { GET: (_req, res) => send(res, 200, { samples: samples() }) }
  }
  const serve = pageFiles(path.join(__dirname, 'public'))
  for (const [route, page] of Object.entries(PAGES)) routes[route] = { GET: (_req, res) => serve(res, page) }
  routes['/mappings/'] = routes['/mappings']!

  /** Answers one of the view's paths and returns true, or returns false to let the stack route the request. */
  return (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    const pathname = requestTarget(req)?.pathname
    const methods = pathname !== undefined && Object.hasOwn(routes, pathname) ? routes[pathname] : undefined
    if (!methods) return false
    const handler = Object.hasOwn(methods, req.method ?? 'GET') ? methods[req.method ?? 'GET'] : undefined
    if (!handler) {
      req.resume()
      send(
        res,
        405,
        { error: `${req.method ?? ''} is not allowed on ${pathname}` },
        { allow: Object.keys(methods).join(', ') }
      )
      return true
    }
    Promise.resolve(handler(req, res)).catch((error: Error) => {
      if (res.headersSent) return res.destroy()
      if (error instanceof BadRequestBody) {
        // Over the limit, the body was not read to its end: the rest is dropped.
        if (error.status === 413) lingerAfterAnswer(req, res)
        return send(res, error.status, { error: error.message })
      }
      // Saving failed (a full disk, …): nothing changed, and the caller is told.
      send(res, 500, { error: error.message })
    })
    return true
  }
}
