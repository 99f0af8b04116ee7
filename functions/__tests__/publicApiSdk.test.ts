// `functions deploy` talks to Segment's Public API with fetch rather than through Segment's SDK,
// @segment/public-api-sdk-typescript (a devDependency only for this test): the SDK pulls in the deprecated `request`
// and bluebird and is published as prereleases only. Instead, this test makes the same calls through the SDK itself
// and checks that ours are the same requests: method, path, auth and the body its model classes serialize
// (CreateFunctionV1Input, UpdateFunctionV1Input, FunctionSettingV1; their attributeTypeMap drops any key the model
// does not have, so an extra or misspelled key of ours shows up as a difference).
import nock from 'nock'
import '../../test/nockCleanup'
import { deployFunction } from '../deploy'
import type { DeployRequest } from '../deploy'
import { FUNCTION_SETTINGS } from '../settings'

// The SDK's own declarations need @types/request; these are the calls the test makes.
interface FunctionsApi {
  accessToken: string
  createFunction(input: object): Promise<unknown>
  updateFunction(functionId: string, input: object): Promise<unknown>
  createFunctionDeployment(functionId: string): Promise<unknown>
}
interface Sdk {
  FunctionsApi: new (basePath: string) => FunctionsApi
  CreateFunctionV1Input: { ResourceTypeEnum: { DESTINATION: unknown } }
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FunctionsApi, CreateFunctionV1Input } = require('@segment/public-api-sdk-typescript') as Sdk

const API = 'https://api.segmentapis.com'
const TOKEN = 'sgp_test_token_123'

interface Sent {
  method: string
  path: string
  authorization: string
  contentType: string | undefined
  body: unknown
}

let sent: Sent[] = []

/** Answers the Public API's calls as Segment would, recording every request. */
function segment(existing: Array<{ id: string; displayName: string }>) {
  const record = function (this: nock.ReplyFnContext, uri: string, body: nock.Body) {
    const header = (name: string) => {
      const value = this.req.headers[name]
      return Array.isArray(value) ? value.join(',') : value
    }
    sent.push({
      method: this.req.method,
      path: uri.split('?')[0]!,
      authorization: header('authorization') ?? '',
      contentType: header('content-type')?.split(';')[0],
      body: body === '' ? undefined : typeof body === 'string' ? (JSON.parse(body) as unknown) : body
    })
  }
  const fn = { id: 'dfn_1', displayName: 'Amazon Personalize', resourceType: 'DESTINATION' }
  return nock(API)
    .persist()
    .get('/functions')
    .query(true)
    .reply(200, function (this: nock.ReplyFnContext, uri, body) {
      record.call(this, uri, body)
      return { data: { functions: existing, pagination: { current: 'MA==', next: null } } }
    })
    .get('/')
    .reply(200, { data: { workspace: { id: 'ws_1', slug: 'acme', name: 'Acme' } } })
    .post('/functions')
    .reply(200, function (this: nock.ReplyFnContext, uri, body) {
      record.call(this, uri, body)
      return { data: { function: fn } }
    })
    .patch(/\/functions\/.+/)
    .reply(200, function (this: nock.ReplyFnContext, uri, body) {
      record.call(this, uri, body)
      return { data: { function: fn } }
    })
    .post(/\/functions\/.+\/deploy/)
    .reply(200, function (this: nock.ReplyFnContext, uri, body) {
      record.call(this, uri, body)
      return { data: { functionDeployment: { status: 'SUCCESS' } } }
    })
}

const request: DeployRequest = {
  code: 'async function onTrack(event, settings) {}\n',
  displayName: 'Amazon Personalize',
  description: 'Segment events to Amazon Personalize',
  settings: FUNCTION_SETTINGS,
  token: TOKEN
}

function sdk(): FunctionsApi {
  const api = new FunctionsApi(API)
  api.accessToken = TOKEN
  return api
}

beforeAll(() => nock.disableNetConnect())
afterAll(() => nock.enableNetConnect())
beforeEach(() => {
  sent = []
})
afterEach(() => nock.cleanAll())

test('creating and deploying: the same requests as the SDK’s createFunction and createFunctionDeployment', async () => {
  segment([])
  await deployFunction(request)
  const ours = sent.filter((call) => call.method !== 'GET')
  sent = []
  await sdk().createFunction({
    code: request.code,
    displayName: request.displayName,
    resourceType: CreateFunctionV1Input.ResourceTypeEnum.DESTINATION,
    settings: request.settings,
    description: request.description
  })
  await sdk().createFunctionDeployment('dfn_1')
  expect(ours).toEqual(sent)
  expect(ours.map((call) => `${call.method} ${call.path}`)).toEqual(['POST /functions', 'POST /functions/dfn_1/deploy'])
  // Every setting field is one of FunctionSettingV1's.
  expect((ours[0]!.body as { settings: unknown[] }).settings).toHaveLength(FUNCTION_SETTINGS.length)
})

test('updating: the same request as the SDK’s updateFunction', async () => {
  segment([{ id: 'dfn_1', displayName: 'Amazon Personalize' }])
  await deployFunction(request)
  const ours = sent.filter((call) => call.method === 'PATCH')
  sent = []
  await sdk().updateFunction('dfn_1', {
    code: request.code,
    settings: request.settings,
    description: request.description
  })
  expect(ours).toEqual(sent)
  expect(ours).toHaveLength(1)
})
