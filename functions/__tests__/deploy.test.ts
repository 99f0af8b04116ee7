import { isDeepStrictEqual } from 'node:util'
import nock from 'nock'
import '../../test/nockCleanup'
import { deployFunction, DeployError, PAGE_SIZE, type DeployRequest, type FunctionSetting } from '../deploy'

const API = 'https://api.segmentapis.com'
const EU_API = 'https://eu1.api.segmentapis.com'
const TOKEN = 'sgp_test_token_123'
const CODE = 'async function onTrack(event, settings) {\n  return event\n}\n'

const settings: FunctionSetting[] = [
  {
    name: 'awsRegion',
    label: 'AWS region',
    description: 'The region of the Personalize dataset group',
    type: 'STRING',
    required: true,
    sensitive: false
  },
  {
    name: 'secretAccessKey',
    label: 'Secret access key',
    description: 'The IAM secret',
    type: 'STRING',
    required: true,
    sensitive: true
  }
]

/** `settings` as Segment must receive them: FunctionSettingV1 objects, field for field. */
const settingsOnTheWire = [
  {
    name: 'awsRegion',
    label: 'AWS region',
    description: 'The region of the Personalize dataset group',
    type: 'STRING',
    required: true,
    sensitive: false
  },
  {
    name: 'secretAccessKey',
    label: 'Secret access key',
    description: 'The IAM secret',
    type: 'STRING',
    required: true,
    sensitive: true
  }
]

const request: DeployRequest = {
  code: CODE,
  displayName: 'personalize',
  description: 'Sends events to Amazon Personalize',
  settings,
  token: TOKEN
}

/** Every request nock answered, in order, as `METHOD /path?query`. */
let calls: string[] = []
/** Requests nock had no interceptor for. */
let unmatched: string[] = []
const onNoMatch = (req: { method?: string; href?: string; path?: string }) =>
  unmatched.push(`${req.method ?? '?'} ${req.href ?? req.path ?? '?'}`)

beforeAll(() => {
  nock.disableNetConnect()
  nock.emitter.on('no match', onNoMatch)
})
afterAll(() => {
  nock.emitter.removeListener('no match', onNoMatch)
  nock.cleanAll()
  nock.enableNetConnect()
})
beforeEach(() => {
  calls = []
  unmatched = []
})
afterEach(() => {
  const pending = nock.pendingMocks()
  nock.cleanAll()
  expect(unmatched).toEqual([])
  expect(pending).toEqual([])
})

/** A scope that only matches requests carrying the Bearer token and asking for JSON. */
function segment(base = API, options: { json?: boolean } = {}) {
  return nock(base, {
    reqheaders: {
      authorization: `Bearer ${TOKEN}`,
      accept: 'application/json',
      ...(options.json ? { 'content-type': 'application/json' } : {})
    },
    // Requests without a body carry no Content-Type.
    badheaders: options.json ? [] : ['content-type']
  })
}

/** A reply that records the request (method, decoded path and query) in `calls`, then answers `body`. */
function answer(body: object) {
  return function (this: nock.ReplyFnContext, uri: string) {
    calls.push(`${this.req.method} ${decodeURIComponent(uri)}`)
    return body
  }
}

function listPage(functions: Array<{ id: string; displayName: string }>, next: string | null, current = 'MA==') {
  return {
    data: {
      functions: functions.map((fn) => ({
        ...fn,
        resourceType: 'DESTINATION',
        description: '',
        createdAt: '2025-01-02T03:04:05.000Z',
        createdBy: 'user_1',
        catalogId: `cat_${fn.id}`
      })),
      pagination: { current, next, previous: null, totalEntries: 3 }
    }
  }
}

/**
 * The list call's exact query. A function rather than an object: nock expands `a.b` and `a[b]` keys of an object
 * alike, so only the raw parse tells `pagination.count` (what Segment reads) from `pagination[count]`.
 */
const listQuery = (cursor?: string) => (actual: Record<string, unknown>) =>
  isDeepStrictEqual(
    { ...actual },
    {
      resourceType: 'DESTINATION',
      'pagination.count': String(PAGE_SIZE),
      ...(cursor === undefined ? {} : { 'pagination.cursor': cursor })
    }
  )

function expectList(base = API) {
  return segment(base).get('/functions')
}

function functionBody(id: string, displayName: string) {
  return {
    data: {
      function: {
        id,
        displayName,
        resourceType: 'DESTINATION',
        code: CODE,
        settings,
        description: request.description,
        deployedAt: null,
        isLatestVersion: true
      }
    }
  }
}

function expectDeploy(id: string, base = API, status: number = 200, body: object = deployed) {
  return segment(base)
    .post(`/functions/${id}/deploy`, (sent) => sent === '')
    .reply(status, answer(body))
}
const deployed = { data: { functionDeployment: { status: 'SUCCESS' } } }

describe('deployFunction', () => {
  test('creates the function when no page lists it, then deploys it', async () => {
    expectList()
      .query(listQuery())
      .reply(
        200,
        answer(
          listPage(
            [
              { id: 'dfn_other1', displayName: 'slack alerts' },
              { id: 'dfn_other2', displayName: 'personalize-staging' }
            ],
            'Mg=='
          )
        )
      )
    expectList()
      .query(listQuery('Mg=='))
      .reply(200, answer(listPage([{ id: 'dfn_other3', displayName: 'Personalize' }], null, 'Mg==')))
    segment(API, { json: true })
      .post('/functions', {
        code: CODE,
        displayName: 'personalize',
        resourceType: 'DESTINATION',
        settings: settingsOnTheWire,
        description: 'Sends events to Amazon Personalize'
      })
      .reply(200, answer(functionBody('dfn_123', 'personalize (Acme)')))
    expectDeploy('dfn_123')

    const result = await deployFunction(request)

    expect(result).toEqual({
      functionId: 'dfn_123',
      created: true,
      deployed: true,
      steps: [
        'no function named personalize among 3 destination functions over 2 pages',
        'created function personalize (id dfn_123); Segment lists it as "personalize (Acme)"',
        'deployed function personalize (id dfn_123)'
      ]
    })
    expect(calls).toEqual([
      `GET /functions?resourceType=DESTINATION&pagination.count=${PAGE_SIZE}`,
      `GET /functions?resourceType=DESTINATION&pagination.count=${PAGE_SIZE}&pagination.cursor=Mg==`,
      'POST /functions',
      'POST /functions/dfn_123/deploy'
    ])
    expect(nock.isDone()).toBe(true)
  })

  test('updates the function listed under that name (code, settings, description), then deploys it', async () => {
    expectList()
      .query(listQuery())
      .reply(200, answer(listPage([{ id: 'dfn_other1', displayName: 'slack alerts' }], 'Mg==')))
    expectList()
      .query(listQuery('Mg=='))
      .reply(200, answer(listPage([{ id: 'dfn_42', displayName: 'personalize' }], null, 'Mg==')))
    segment(API, { json: true })
      .patch('/functions/dfn_42', {
        code: CODE,
        settings: settingsOnTheWire,
        description: 'Sends events to Amazon Personalize'
      })
      .reply(200, answer(functionBody('dfn_42', 'personalize')))
    expectDeploy('dfn_42')

    const result = await deployFunction(request)

    expect(result).toEqual({
      functionId: 'dfn_42',
      created: false,
      deployed: true,
      steps: [
        'found function personalize (id dfn_42) among 2 destination functions over 2 pages',
        `updated function personalize (id dfn_42): code (${Buffer.byteLength(CODE)} bytes), 2 settings, description`,
        'deployed function personalize (id dfn_42)'
      ]
    })
    expect(calls).toEqual([
      `GET /functions?resourceType=DESTINATION&pagination.count=${PAGE_SIZE}`,
      `GET /functions?resourceType=DESTINATION&pagination.count=${PAGE_SIZE}&pagination.cursor=Mg==`,
      'PATCH /functions/dfn_42',
      'POST /functions/dfn_42/deploy'
    ])
    expect(nock.isDone()).toBe(true)
  })

  test('finds a function whose name Segment suffixed with the workspace, and leaves the description alone when none is given', async () => {
    expectList()
      .query(listQuery())
      .reply(
        200,
        listPage(
          [
            { id: 'dfn_staging', displayName: 'personalize (staging)' },
            { id: 'dfn_acme', displayName: 'personalize (Acme Corp)' }
          ],
          null
        )
      )
    segment()
      .get('/')
      .reply(200, { data: { workspace: { id: 'ws_1', slug: 'acme-corp', name: 'Acme Corp' } } })
    segment(API, { json: true })
      .patch('/functions/dfn_acme', { code: CODE, settings: [] })
      .reply(200, {
        data: { function: { id: 'dfn_acme' } }
      })
    expectDeploy('dfn_acme')

    const result = await deployFunction({ code: CODE, displayName: 'personalize', settings: [], token: TOKEN })

    expect(result.functionId).toBe('dfn_acme')
    expect(result.created).toBe(false)
    expect(result.steps[0]).toBe(
      'found function personalize as "personalize (Acme Corp)" (id dfn_acme) among 2 destination functions over 1 page'
    )
    expect(nock.isDone()).toBe(true)
  })

  test('uses apiBase (the EU endpoint, trailing slash and all)', async () => {
    expectList(EU_API).query(listQuery()).reply(200, listPage([], null))
    segment(EU_API, { json: true })
      .post('/functions', (body: Record<string, unknown>) => body.displayName === 'personalize')
      .reply(200, functionBody('dfn_eu', 'personalize'))
    expectDeploy('dfn_eu', EU_API)

    const result = await deployFunction({ ...request, apiBase: `${EU_API}/` })

    expect(result).toMatchObject({ functionId: 'dfn_eu', created: true, deployed: true })
    expect(nock.isDone()).toBe(true)
  })

  test('reports, without failing, a deployment Segment refuses for a Destination Function', async () => {
    expectList()
      .query(listQuery())
      .reply(200, listPage([{ id: 'dfn_42', displayName: 'personalize' }], null))
    segment(API, { json: true }).patch('/functions/dfn_42').reply(200, functionBody('dfn_42', 'personalize'))
    expectDeploy('dfn_42', API, 422, {
      errors: [{ type: 'validation', message: 'Function must be a Source Function' }]
    })

    const result = await deployFunction(request)

    expect(result.deployed).toBe(false)
    expect(result.steps[2]).toBe(
      'Segment did not deploy function personalize (id dfn_42): Function must be a Source Function ' +
        '(the Public API documents POST /functions/{functionId}/deploy for Source Functions only)'
    )
    expect(nock.isDone()).toBe(true)
  })

  test.each([
    [401, /401 Unauthorized.*Invalid token.*Workspace Owner or Functions Admin role/],
    [403, /403 Forbidden.*Invalid token.*Workspace Owner or Functions Admin role/]
  ])('a %i from Segment is a DeployError naming the role the token needs', async (status, message) => {
    expectList()
      .query(listQuery())
      .reply(status, { errors: [{ type: 'unauthorized', message: 'Invalid token' }] })

    const error = await deployFunction(request).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(DeployError)
    expect((error as DeployError).message).toMatch(message)
    expect((error as DeployError).message).not.toContain(TOKEN)
    expect((error as DeployError).status).toBe(status)
    expect(nock.isDone()).toBe(true)
  })

  test("a 422 surfaces each of Segment's validation messages, and nothing is deployed", async () => {
    const errors = [
      { type: 'validation', message: 'settings name must be camelCase', field: 'settings.0.name' },
      { type: 'validation', message: 'code must define at least one handler' }
    ]
    expectList().query(listQuery()).reply(200, listPage([], null))
    segment(API, { json: true }).post('/functions').reply(422, { errors })

    const error = await deployFunction(request).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(DeployError)
    expect((error as DeployError).message).toBe(
      'Segment rejected POST /functions (422 validation failure): settings name must be camelCase ' +
        '(field settings.0.name); code must define at least one handler.'
    )
    expect((error as DeployError).apiErrors).toEqual(errors)
    expect(nock.isDone()).toBe(true)
  })

  test('a 404 on the update says what to check', async () => {
    expectList()
      .query(listQuery())
      .reply(200, listPage([{ id: 'dfn_42', displayName: 'personalize' }], null))
    segment(API, { json: true })
      .patch('/functions/dfn_42')
      .reply(404, { errors: [{ type: 'not-found', message: 'Function not found' }] })

    await expect(deployFunction(request)).rejects.toThrow(
      /404 Not Found to PATCH \/functions\/dfn_42: Function not found\. .*eu1\.api\.segmentapis\.com/
    )
    expect(nock.isDone()).toBe(true)
  })

  test('a network failure is a DeployError naming the endpoint', async () => {
    expectList().query(listQuery()).replyWithError('socket hang up')

    const error = await deployFunction(request).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(DeployError)
    expect((error as DeployError).message).toBe(
      'Could not reach the Segment Public API at https://api.segmentapis.com (GET /functions): socket hang up.'
    )
    expect(nock.isDone()).toBe(true)
  })

  test('two functions with the same name are an error, not a guess', async () => {
    expectList()
      .query(listQuery())
      .reply(
        200,
        listPage(
          [
            { id: 'dfn_1', displayName: 'personalize' },
            { id: 'dfn_2', displayName: 'personalize' }
          ],
          null
        )
      )

    await expect(deployFunction(request)).rejects.toThrow(
      'Several destination functions are named personalize: dfn_1 ("personalize"), dfn_2 ("personalize").'
    )
    expect(nock.isDone()).toBe(true)
  })

  test.each([
    ['missing', ''],
    ['blank', '   ']
  ])('a %s token is a DeployError before any request', async (_label, token) => {
    const error = await deployFunction({ ...request, token }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(DeployError)
    expect((error as DeployError).message).toMatch(
      /Missing Segment Public API token.*Workspace Owner or Functions Admin/
    )
  })
})
