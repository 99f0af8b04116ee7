// Conformance with Personalize's service models, for every operation the emulator serves: each is called with a valid
// input and its raw JSON answer checked against the model's output shape (members, types, required members, nothing
// the model does not have); then with each class of invalid input the model allows (a required member missing, a
// string too long, a pattern not met, an unknown resource, a resource in the wrong state), and each error checked
// against the operation's modelled errors and the status its service answers it with. The models are aws-sdk v2's
// (apis/*.min.json); the modelled errors are the v3 clients' (see serviceModel.ts). When AWS adds a member to an
// input or an answer, the member tables below fail until the emulator handles it or the table says why not.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PersonalizeClient } from '@aws-sdk/client-personalize'
import { MODELLED_STATUS, type Protocol } from '../protocol'
import { READABLE } from '../resources'
import { createPersonalizeEmulator, servedOperations } from '../server'
import { CONTROL_SHAPES, SHAPES } from '../shapes'
import type { Shape } from '../validation'
import { credentials } from './fixtures'
import { loadModel, modelledErrors, outputProblems, resolve, type Service, type ServiceModel } from './serviceModel'
import { buildWorld, recipe, ROLE_ARN, type World } from './world'

const MODELS: Record<Service, ServiceModel> = {
  personalize: loadModel('personalize'),
  'personalize-events': loadModel('personalize-events'),
  'personalize-runtime': loadModel('personalize-runtime')
}
const SERVED = servedOperations()
const ALL = (Object.keys(SERVED) as Service[]).flatMap((service) => SERVED[service].map((op) => [service, op] as const))
const INPUT_SHAPES: Record<string, Extract<Shape, { type: 'structure' }>> = { ...CONTROL_SHAPES, ...SHAPES }
const protocolOf = (service: Service): Protocol => (service === 'personalize' ? 'awsJson1_1' : 'restJson1')

// The service's validation error: Coral answers a broken constraint with InvalidInputException ("1 validation error
// detected: …") on every operation, also those whose model lists no InvalidInputException (ListDatasetGroups models
// only InvalidNextTokenException). A malformed body is SerializationException, on every operation.
const VALIDATION_ERROR = 'InvalidInputException'

// Where the emulator answers with an error the operation does not model, and why (docs/local-personalize.md says so).
const UNMODELLED_ERRORS: Record<string, { error: string; why: string }> = {
  PutEvents: {
    error: 'ResourceNotFoundException',
    why: 'an unknown tracking ID: PutEvents models InvalidInputException only; naming the resource lets the destination point at its Tracking ID setting'
  }
}

// Input members of the aws-sdk v2 model that the emulator treats differently, and why.
const INPUT_MEMBER_DIFFERENCES: Record<string, string> = {
  // botocore 1.43 (newer than the last aws-sdk v2 release) no longer requires it; the emulator follows the newer model.
  'CreateDatasetImportJob.roleArn': 'optional'
}

// Answer members of the model the emulator never gives, and why.
const UNANSWERED_MEMBERS: Record<string, string> = {
  'DescribeDataset.latestDatasetUpdate': 'UpdateDataset is not served',
  'DescribeDataset.trackingId': "an Action interactions dataset's; those datasets are not served",
  'DescribeSolution.solutionConfig': 'kept out: the emulator does not act on it (no HPO, no AutoML)',
  'DescribeSolution.autoMLResult': 'no AutoML',
  'DescribeSolution.latestSolutionUpdate': 'UpdateSolution is not served',
  'DescribeSolutionVersion.solutionConfig': 'kept out: the emulator does not act on it',
  'DescribeSolutionVersion.tunedHPOParams': 'no HPO',
  'DescribeCampaign.latestCampaignUpdate': 'UpdateCampaign is not served'
}

let emulator: ReturnType<typeof createPersonalizeEmulator>
let endpoint: string
let control: PersonalizeClient
let world: World
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'conformance-'))
  emulator = createPersonalizeEmulator({ delayMs: 0, s3Root: dir })
  endpoint = await emulator.listen()
  control = new PersonalizeClient({ region: 'us-west-2', endpoint, credentials, maxAttempts: 1 })
  world = await buildWorld(control, dir)
}, 60_000)
afterAll(() => emulator.close())

/** A raw call, as the service's protocol sends it; the answer's status and JSON body. */
async function call(service: Service, op: string, input: unknown): Promise<{ status: number; body: unknown }> {
  const protocol = protocolOf(service)
  const res = await fetch(
    protocol === 'awsJson1_1' ? `${endpoint}/` : `${endpoint}${MODELS[service].operations[op]!.http!.requestUri!}`,
    {
      method: 'POST',
      headers:
        protocol === 'awsJson1_1'
          ? { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonPersonalize.${op}` }
          : { 'content-type': 'application/json' },
      body: JSON.stringify(input)
    }
  )
  const text = await res.text()
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as unknown) }
}

type Input = Record<string, unknown>

/** A valid input for every served operation (one that changes state makes what it changes first). */
const VALID: Record<string, (w: World) => Promise<Input> | Input> = {
  CreateDatasetGroup: (w) => ({ name: w.unique('group'), tags: [{ tagKey: 'team', tagValue: 'growth' }] }),
  DescribeDatasetGroup: (w) => ({ datasetGroupArn: w.groupArn }),
  ListDatasetGroups: () => ({ maxResults: 2 }),
  DeleteDatasetGroup: async (w) => ({ datasetGroupArn: await w.group(w.unique('doomed')) }),
  CreateSchema: (w) => ({ name: w.unique('schema'), schema: JSON.parse(JSON.stringify(VALID_SCHEMA)) as string }),
  DescribeSchema: (w) => ({ schemaArn: w.schemaArn }),
  ListSchemas: () => ({}),
  DeleteSchema: async (w) => ({ schemaArn: await w.schema(w.unique('doomed'), VALID_SCHEMA) }),
  CreateDataset: async (w) => ({
    name: w.unique('dataset'),
    schemaArn: w.schemaArn,
    datasetGroupArn: await w.group(w.unique('group')),
    datasetType: 'Interactions'
  }),
  DescribeDataset: (w) => ({ datasetArn: w.interactionsArn }),
  ListDatasets: (w) => ({ datasetGroupArn: w.groupArn }),
  DeleteDataset: async (w) => ({
    datasetArn: await w.dataset(await w.group(w.unique('group')), w.schemaArn, 'Interactions')
  }),
  CreateEventTracker: async (w) => ({ name: w.unique('tracker'), datasetGroupArn: await w.group(w.unique('group')) }),
  DescribeEventTracker: (w) => ({ eventTrackerArn: w.eventTrackerArn }),
  ListEventTrackers: (w) => ({ datasetGroupArn: w.groupArn }),
  DeleteEventTracker: async (w) => {
    const datasetGroupArn = await w.group(w.unique('group'))
    const created = await call('personalize', 'CreateEventTracker', { name: 't', datasetGroupArn })
    return { eventTrackerArn: (created.body as { eventTrackerArn: string }).eventTrackerArn }
  },
  CreateDatasetImportJob: (w) => ({
    jobName: w.unique('import'),
    datasetArn: w.interactionsArn,
    dataSource: { dataLocation: w.interactionsCsv },
    roleArn: ROLE_ARN
  }),
  DescribeDatasetImportJob: (w) => ({ datasetImportJobArn: w.importJobArn }),
  ListDatasetImportJobs: (w) => ({ datasetArn: w.interactionsArn }),
  CreateDatasetExportJob: (w) => ({
    jobName: w.unique('export'),
    datasetArn: w.interactionsArn,
    roleArn: ROLE_ARN,
    jobOutput: { s3DataDestination: { path: `file://${dir}/exports/` } }
  }),
  DescribeDatasetExportJob: (w) => ({ datasetExportJobArn: w.exportJobArn }),
  ListDatasetExportJobs: (w) => ({ datasetArn: w.interactionsArn }),
  CreateSolution: (w) => ({
    name: w.unique('solution'),
    datasetGroupArn: w.groupArn,
    recipeArn: recipe('aws-sims')
  }),
  DescribeSolution: (w) => ({ solutionArn: w.solutionArn }),
  ListSolutions: (w) => ({ datasetGroupArn: w.groupArn }),
  DeleteSolution: async (w) => ({ solutionArn: await w.solution(w.groupArn, 'aws-popularity-count') }),
  CreateSolutionVersion: (w) => ({ solutionArn: w.solutionArn, name: w.unique('version') }),
  DescribeSolutionVersion: (w) => ({ solutionVersionArn: w.versionArn }),
  ListSolutionVersions: (w) => ({ solutionArn: w.solutionArn }),
  GetSolutionMetrics: (w) => ({ solutionVersionArn: w.versionArn }),
  CreateCampaign: (w) => ({ name: w.unique('campaign'), solutionVersionArn: w.versionArn }),
  DescribeCampaign: (w) => ({ campaignArn: w.campaignArn }),
  ListCampaigns: (w) => ({ solutionArn: w.solutionArn }),
  DeleteCampaign: async (w) => ({ campaignArn: await w.campaign(w.versionArn) }),
  CreateFilter: (w) => ({
    name: w.unique('filter'),
    datasetGroupArn: w.groupArn,
    filterExpression: 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Order Completed")'
  }),
  DescribeFilter: (w) => ({ filterArn: w.filterArn }),
  ListFilters: (w) => ({ datasetGroupArn: w.groupArn }),
  DeleteFilter: async (w) => {
    const created = await call('personalize', 'CreateFilter', {
      name: w.unique('filter'),
      datasetGroupArn: w.groupArn,
      filterExpression: 'EXCLUDE ItemID WHERE Items.CATEGORY IN ("books")'
    })
    return { filterArn: (created.body as { filterArn: string }).filterArn }
  },
  ListRecipes: () => ({ domain: 'ECOMMERCE', recipeProvider: 'SERVICE' }),
  DescribeRecipe: () => ({ recipeArn: recipe('aws-user-personalization') }),
  TagResource: (w) => ({ resourceArn: w.campaignArn, tags: [{ tagKey: 'team', tagValue: 'growth' }] }),
  UntagResource: (w) => ({ resourceArn: w.campaignArn, tagKeys: ['team'] }),
  ListTagsForResource: (w) => ({ resourceArn: w.campaignArn }),
  CreateRecommender: (w) => ({
    name: w.unique('recommender'),
    datasetGroupArn: w.domainGroupArn,
    recipeArn: recipe('aws-ecomm-popular-items-by-views'),
    recommenderConfig: { minRecommendationRequestsPerSecond: 1 },
    tags: [{ tagKey: 'use-case', tagValue: 'most viewed' }]
  }),
  DescribeRecommender: (w) => ({ recommenderArn: w.recommenderArn }),
  ListRecommenders: (w) => ({ datasetGroupArn: w.domainGroupArn }),
  DeleteRecommender: async (w) => ({ recommenderArn: await w.recommender('aws-ecomm-popular-items-by-views') }),
  StopRecommender: async (w) => ({ recommenderArn: await w.recommender('aws-ecomm-popular-items-by-views') }),
  StartRecommender: async (w) => {
    const recommenderArn = await w.recommender('aws-ecomm-popular-items-by-views')
    await call('personalize', 'StopRecommender', { recommenderArn })
    return { recommenderArn }
  },
  UpdateRecommender: async (w) => ({
    recommenderArn: await w.recommender('aws-ecomm-popular-items-by-views'),
    recommenderConfig: { minRecommendationRequestsPerSecond: 2 }
  }),
  PutEvents: (w) => ({
    trackingId: w.trackingId,
    sessionId: 'session-1',
    userId: 'user-1',
    eventList: [{ eventType: 'Product Viewed', sentAt: 1_700_000_000, itemId: 'shoe-1' }]
  }),
  PutUsers: (w) => ({ datasetArn: w.usersArn, users: [{ userId: 'user-1', properties: '{"membership":"gold"}' }] }),
  PutItems: (w) => ({ datasetArn: w.itemsArn, items: [{ itemId: 'shoe-11', properties: '{"category":"shoes"}' }] }),
  GetRecommendations: (w) => ({
    campaignArn: w.campaignArn,
    userId: 'user-1',
    numResults: 10,
    filterArn: w.filterArn,
    metadataColumns: { ITEMS: ['CATEGORY', 'PRICE'] },
    promotions: [{ name: 'books', percentPromotedItems: 20, filterArn: w.filterArn }]
  }),
  GetPersonalizedRanking: (w) => ({
    campaignArn: w.rankingCampaignArn,
    userId: 'user-1',
    inputList: ['shoe-1', 'book-1', 'unknown-item']
  })
}

const VALID_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Interactions',
  fields: [
    { name: 'USER_ID', type: 'string' },
    { name: 'ITEM_ID', type: 'string' },
    { name: 'TIMESTAMP', type: 'long' }
  ]
})

/** Resources in the wrong state for an operation, with the error the operation models for it. */
const WRONG_STATE: Array<{ op: string; service: Service; what: string; input: (w: World) => Promise<Input> }> = [
  {
    op: 'DeleteDatasetGroup',
    service: 'personalize',
    what: 'a dataset group that still has datasets',
    input: (w) => Promise.resolve({ datasetGroupArn: w.groupArn })
  },
  {
    op: 'DeleteSchema',
    service: 'personalize',
    what: 'a schema a dataset uses',
    input: (w) => Promise.resolve({ schemaArn: w.schemaArn })
  },
  {
    op: 'CreateDatasetGroup',
    service: 'personalize',
    what: 'a name already taken',
    input: () => Promise.resolve({ name: 'workshop' })
  },
  {
    op: 'ListDatasetGroups',
    service: 'personalize',
    what: 'a nextToken the emulator did not give',
    input: () => Promise.resolve({ nextToken: 'bm90LW91cnM.c2lnbmF0dXJl' })
  },
  {
    op: 'GetSolutionMetrics',
    service: 'personalize',
    what: 'a version whose training failed',
    input: async (w) => {
      const groupArn = await w.group(w.unique('empty'))
      return { solutionVersionArn: await w.version(await w.solution(groupArn, 'aws-user-personalization')) }
    }
  },
  {
    op: 'CreateCampaign',
    service: 'personalize',
    what: 'a version whose training failed',
    input: async (w) => {
      const groupArn = await w.group(w.unique('empty'))
      const solutionVersionArn = await w.version(await w.solution(groupArn, 'aws-user-personalization'))
      return { name: w.unique('campaign'), solutionVersionArn }
    }
  },
  {
    op: 'CreateRecommender',
    service: 'personalize',
    what: 'a dataset group that is not a Domain one',
    input: (w) =>
      Promise.resolve({
        name: w.unique('recommender'),
        datasetGroupArn: w.groupArn,
        recipeArn: recipe('aws-ecomm-recommended-for-you')
      })
  },
  {
    op: 'StartRecommender',
    service: 'personalize',
    what: 'a recommender that is ACTIVE',
    input: (w) => Promise.resolve({ recommenderArn: w.recommenderArn })
  },
  {
    op: 'StopRecommender',
    service: 'personalize',
    what: 'a recommender already stopped',
    input: async (w) => {
      const recommenderArn = await w.recommender('aws-ecomm-popular-items-by-views')
      await call('personalize', 'StopRecommender', { recommenderArn })
      return { recommenderArn }
    }
  },
  {
    op: 'TagResource',
    service: 'personalize',
    what: 'more than 50 tags',
    input: (w) =>
      Promise.resolve({
        resourceArn: w.groupArn,
        tags: Array.from({ length: 51 }, (_, i) => ({ tagKey: `k${i}`, tagValue: 'v' }))
      })
  },
  {
    op: 'UntagResource',
    service: 'personalize',
    what: 'more than 50 tag keys',
    input: (w) => Promise.resolve({ resourceArn: w.groupArn, tagKeys: Array.from({ length: 51 }, (_, i) => `k${i}`) })
  },
  {
    op: 'GetRecommendations',
    service: 'personalize-runtime',
    what: 'a personalized-ranking campaign',
    input: (w) => Promise.resolve({ campaignArn: w.rankingCampaignArn, userId: 'user-1' })
  },
  {
    op: 'GetPersonalizedRanking',
    service: 'personalize-runtime',
    what: 'a campaign whose recipe is not a ranking recipe',
    input: (w) => Promise.resolve({ campaignArn: w.campaignArn, userId: 'user-1', inputList: ['shoe-1'] })
  },
  {
    op: 'GetRecommendations',
    service: 'personalize-runtime',
    what: 'a stopped recommender',
    input: async (w) => {
      const recommenderArn = await w.recommender('aws-ecomm-popular-items-by-views')
      await call('personalize', 'StopRecommender', { recommenderArn })
      return { recommenderArn, userId: 'user-1' }
    }
  }
]

/** The errors an operation may answer with: its modelled ones, the validation error, and the documented exceptions. */
function allowed(service: Service, op: string): string[] {
  return [
    ...modelledErrors(service, op),
    VALIDATION_ERROR,
    ...(UNMODELLED_ERRORS[op] ? [UNMODELLED_ERRORS[op].error] : [])
  ]
}

function expectModelledError(service: Service, op: string, answer: { status: number; body: unknown }): string {
  const body = answer.body as { __type?: string; message?: string }
  const type = String(body.__type).split('#').pop()!
  expect(allowed(service, op)).toContain(type)
  expect(answer.status).toBe(MODELLED_STATUS[protocolOf(service)][type])
  expect(body.message).toEqual(expect.any(String))
  expect(body.message!.length).toBeGreaterThan(0)
  return type
}

describe('the served operations and the models', () => {
  test('every served operation is in its service model, with a valid input here', () => {
    for (const [service, op] of ALL) {
      expect([service, op, MODELS[service].operations[op] !== undefined]).toEqual([service, op, true])
      expect([op, VALID[op] !== undefined]).toEqual([op, true])
    }
    expect(Object.keys(VALID).sort()).toEqual(ALL.map(([, op]) => op).sort())
  })

  test.each(ALL)('%s %s: the input members and required members are the model’s', (service, op) => {
    const model = resolve(MODELS[service], MODELS[service].operations[op]!.input!)
    const ours = INPUT_SHAPES[op]!.members
    expect(Object.keys(ours).sort()).toEqual(Object.keys(model.members ?? {}).sort())
    for (const member of Object.keys(ours)) {
      const difference = INPUT_MEMBER_DIFFERENCES[`${op}.${member}`]
      const required = (model.required ?? []).includes(member)
      if (difference === 'optional') expect([member, ours[member]!.required ?? false]).toEqual([member, false])
      else expect([member, ours[member]!.required ?? false]).toEqual([member, required])
    }
  })

  test.each(READABLE.map((r) => [r.one, r] as const))(
    '%s: Describe and List answer every member of the model but those listed as unanswered',
    (_one, readable) => {
      const model = MODELS.personalize
      const pascal = (key: string) => key[0]!.toUpperCase() + key.slice(1)
      const describe = resolve(model, model.operations[`Describe${pascal(readable.one)}`]!.output!)
      const describeMembers = Object.keys(resolve(model, describe.members![readable.one]!).members!)
      const unanswered = Object.keys(UNANSWERED_MEMBERS)
        .filter((key) => key.startsWith(`Describe${pascal(readable.one)}.`))
        .map((key) => key.split('.')[1]!)
      expect([...readable.describe, ...unanswered].sort()).toEqual(describeMembers.sort())
      const list = resolve(model, model.operations[`List${pascal(readable.many)}`]!.output!)
      const summary = resolve(model, resolve(model, list.members![readable.many]!).member!)
      expect([...readable.summary].sort()).toEqual(Object.keys(summary.members!).sort())
    }
  )
})

describe.each(ALL)('%s %s', (service, op) => {
  const model = () => MODELS[service].operations[op]!

  test('a valid input is answered with the model’s output shape', async () => {
    const answer = await call(service, op, await VALID[op]!(world))
    expect([answer.status, answer.body]).toEqual([200, expect.anything()])
    expect(outputProblems(MODELS[service], model().output ?? { type: 'structure', members: {} }, answer.body)).toEqual(
      []
    )
  })

  test('each missing required member is the validation error', async () => {
    const input = await VALID[op]!(world)
    for (const member of resolve(MODELS[service], model().input!).required ?? []) {
      if (INPUT_MEMBER_DIFFERENCES[`${op}.${member}`]) continue
      const rest = Object.fromEntries(Object.entries(input).filter(([key]) => key !== member))
      const answer = await call(service, op, rest)
      expect([member, expectModelledError(service, op, answer)]).toEqual([member, VALIDATION_ERROR])
    }
  })

  test('each string too long or off its pattern is the validation error', async () => {
    const input = await VALID[op]!(world)
    for (const [member, shape] of Object.entries(INPUT_SHAPES[op]!.members)) {
      if (shape.type !== 'string') continue
      const bad = [...(shape.max !== undefined ? ['a'.repeat(shape.max + 1)] : []), ...(shape.pattern ? ['!'] : [])]
      for (const value of bad) {
        const answer = await call(service, op, { ...input, [member]: value })
        expect([member, value.length, expectModelledError(service, op, answer)]).toEqual([
          member,
          value.length,
          VALIDATION_ERROR
        ])
      }
    }
  })

  test('an unknown resource is ResourceNotFoundException where the operation models it, else no error', async () => {
    const input = await VALID[op]!(world)
    const arns = Object.entries(input).filter(
      ([member, value]) => typeof value === 'string' && /Arn$/.test(member) && value.startsWith('arn:aws:personalize:')
    )
    const trackingIds = op === 'PutEvents' ? [['trackingId', 'no-such-tracker'] as const] : []
    for (const [member, value] of [...arns.map(([m, v]) => [m, `${String(v)}-missing`] as const), ...trackingIds]) {
      const answer = await call(service, op, { ...input, [member]: value })
      if (modelledErrors(service, op).includes('ResourceNotFoundException') || UNMODELLED_ERRORS[op]) {
        expect([member, expectModelledError(service, op, answer)]).toEqual([member, 'ResourceNotFoundException'])
      } else {
        // List operations filter by the ARN: nothing matches, and the model has no error for it.
        expect([member, answer.status]).toEqual([member, 200])
        expect(outputProblems(MODELS[service], model().output!, answer.body)).toEqual([])
      }
    }
  })
})

describe('wrong state', () => {
  test.each(WRONG_STATE.map((row) => [row.op, row.what, row] as const))(
    '%s on %s is one of its modelled errors',
    async (_op, _what, row) => {
      const answer = await call(row.service, row.op, await row.input(world))
      expect(answer.status).not.toBe(200)
      // A state problem is one the operation models itself, not the generic validation fallback.
      expect(modelledErrors(row.service, row.op)).toContain(expectModelledError(row.service, row.op, answer))
    }
  )
})

test('an unknown operation is answered on each protocol with the model’s status, never a 500', async () => {
  const control = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonPersonalize.CreateTeleporter' },
    body: '{}'
  })
  expect(control.status).toBe(400)
  const runtime = await fetch(`${endpoint}/teleport`, { method: 'POST', body: '{}' })
  expect(runtime.status).toBe(404)
  expect(runtime.headers.get('x-amzn-errortype')).toMatch(/^UnknownOperationException/)
})

test('the check itself catches a member the model does not have', () => {
  const shape = MODELS.personalize.operations.DescribeDatasetGroup!.output!
  expect(
    outputProblems(MODELS.personalize, shape, {
      datasetGroup: { name: 'g', status: 'ACTIVE', creationDateTime: 'yesterday', extra: 1 }
    })
  ).toEqual([
    "$.datasetGroup.extra: not a member of the model's shape",
    '$.datasetGroup.creationDateTime: expected epoch seconds, got "yesterday"'
  ])
})

test('the v3 clients list the modelled errors the test relies on', () => {
  expect(modelledErrors('personalize', 'ListDatasetGroups')).toEqual(['InvalidNextTokenException'])
  expect(modelledErrors('personalize-runtime', 'GetRecommendations').sort()).toEqual([
    'InvalidInputException',
    'ResourceNotFoundException'
  ])
})
