// The emulator through the real AWS SDK v3 clients (control plane and events), the destination end to end, and raw
// HTTP for exact error bodies.
import {
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateEventTrackerCommand,
  CreateSchemaCommand,
  DeleteDatasetGroupCommand,
  DescribeDatasetGroupCommand,
  DescribeEventTrackerCommand,
  ListDatasetsCommand,
  PersonalizeClient,
  ResourceAlreadyExistsException,
  ResourceInUseException,
  ResourceNotFoundException
} from '@aws-sdk/client-personalize'
import {
  InvalidInputException,
  PersonalizeEventsClient,
  PutEventsCommand,
  PutItemsCommand,
  PutUsersCommand
} from '@aws-sdk/client-personalize-events'
import { Destination, defaultValues, type SegmentEvent } from '@segment/actions-core'
import destination from '../../../destination'
import trackEvent from '../../../destination/trackEvent'
import { controlOperations } from '../controlPlane'
import { createPersonalizeEmulator } from '../server'
import { credentials, INTERACTIONS_SCHEMA } from './fixtures'
import { CONTROL_SHAPES } from '../shapes'

const schemaWith = (name: string, fields: string[]) =>
  JSON.stringify({ type: 'record', name, fields: fields.map((f) => ({ name: f, type: 'string' })), version: '1.0' })

let emulator: ReturnType<typeof createPersonalizeEmulator>
let endpoint: string
let control: PersonalizeClient
let events: PersonalizeEventsClient

beforeEach(async () => {
  emulator = createPersonalizeEmulator({ delayMs: 0 })
  endpoint = await emulator.listen()
  control = new PersonalizeClient({ region: 'us-west-2', endpoint, credentials, maxAttempts: 1 })
  events = new PersonalizeEventsClient({ region: 'us-west-2', endpoint, credentials, maxAttempts: 1 })
})
afterEach(() => emulator.close())

/** The workshop's console steps, with the real SDK: dataset group, schemas, datasets, event tracker. */
async function workshop() {
  const { datasetGroupArn } = await control.send(new CreateDatasetGroupCommand({ name: 'segment-workshop' }))
  const datasets: Record<string, string> = {}
  for (const [type, schema] of [
    ['Interactions', INTERACTIONS_SCHEMA],
    ['Users', schemaWith('Users', ['USER_ID', 'MEMBERSHIP_LEVEL'])],
    ['Items', schemaWith('Items', ['ITEM_ID', 'CATEGORY'])]
  ] as const) {
    const { schemaArn } = await control.send(
      new CreateSchemaCommand({ name: `workshop-${type.toLowerCase()}`, schema })
    )
    const { datasetArn } = await control.send(
      new CreateDatasetCommand({
        name: `workshop-${type.toLowerCase()}`,
        schemaArn,
        datasetGroupArn,
        datasetType: type
      })
    )
    datasets[type] = datasetArn!
  }
  const tracker = await control.send(new CreateEventTrackerCommand({ name: 'workshop-tracker', datasetGroupArn }))
  return {
    datasetGroupArn: datasetGroupArn!,
    datasets,
    trackingId: tracker.trackingId!,
    eventTrackerArn: tracker.eventTrackerArn!
  }
}

describe('control plane with the real @aws-sdk/client-personalize', () => {
  test('creates the workshop’s resources with Personalize’s ARN shapes and statuses', async () => {
    const { datasetGroupArn, datasets, eventTrackerArn, trackingId } = await workshop()
    expect(datasetGroupArn).toBe('arn:aws:personalize:us-west-2:000000000000:dataset-group/segment-workshop')
    expect(datasets.Interactions).toBe(
      'arn:aws:personalize:us-west-2:000000000000:dataset/segment-workshop/INTERACTIONS'
    )
    expect(datasets.Users).toMatch(/\/USERS$/)
    const { datasetGroup } = await control.send(new DescribeDatasetGroupCommand({ datasetGroupArn }))
    expect(datasetGroup).toMatchObject({ name: 'segment-workshop', status: 'ACTIVE' })
    expect(datasetGroup!.creationDateTime).toBeInstanceOf(Date)
    const { eventTracker } = await control.send(new DescribeEventTrackerCommand({ eventTrackerArn }))
    expect(eventTracker).toMatchObject({ trackingId, datasetGroupArn, status: 'ACTIVE', accountId: '000000000000' })
    const listed = await control.send(new ListDatasetsCommand({ datasetGroupArn }))
    expect(listed.datasets!.map((d) => d.datasetArn).sort()).toEqual(Object.values(datasets).sort())
  })

  test('statuses advance from CREATE PENDING through CREATE IN_PROGRESS to ACTIVE on the configured delay', async () => {
    // The emulator's clock is stepped, so no timer decides what a test on a busy machine gets to see.
    let now = Date.UTC(2026, 10, 1)
    await emulator.close()
    emulator = createPersonalizeEmulator({ delayMs: 400, clock: () => now })
    endpoint = await emulator.listen()
    control = new PersonalizeClient({ region: 'us-west-2', endpoint, credentials, maxAttempts: 1 })
    const { datasetGroupArn } = await control.send(new CreateDatasetGroupCommand({ name: 'slow' }))
    const seen: string[] = []
    for (const step of [0, 150, 100, 149, 1]) {
      now += step
      const { datasetGroup } = await control.send(new DescribeDatasetGroupCommand({ datasetGroupArn }))
      seen.push(datasetGroup!.status!)
    }
    expect(seen).toEqual(['CREATE PENDING', 'CREATE PENDING', 'CREATE IN_PROGRESS', 'CREATE IN_PROGRESS', 'ACTIVE'])
  })

  test('errors come back as the SDK’s typed exceptions', async () => {
    const { datasetGroupArn } = await workshop()
    await expect(control.send(new CreateDatasetGroupCommand({ name: 'segment-workshop' }))).rejects.toBeInstanceOf(
      ResourceAlreadyExistsException
    )
    await expect(
      control.send(new CreateEventTrackerCommand({ name: 'second', datasetGroupArn }))
    ).rejects.toBeInstanceOf(ResourceAlreadyExistsException)
    await expect(control.send(new DeleteDatasetGroupCommand({ datasetGroupArn }))).rejects.toBeInstanceOf(
      ResourceInUseException
    )
    await expect(
      control.send(
        new DescribeDatasetGroupCommand({
          datasetGroupArn: 'arn:aws:personalize:us-west-2:000000000000:dataset-group/nope'
        })
      )
    ).rejects.toBeInstanceOf(ResourceNotFoundException)
  })

  test('a schema without the fields its dataset type needs is refused', async () => {
    const { datasetGroupArn } = await control.send(new CreateDatasetGroupCommand({ name: 'g' }))
    const { schemaArn } = await control.send(
      new CreateSchemaCommand({ name: 'thin', schema: schemaWith('Interactions', ['USER_ID']) })
    )
    await expect(
      control.send(new CreateDatasetCommand({ name: 'd', schemaArn, datasetGroupArn, datasetType: 'Interactions' }))
    ).rejects.toThrow('missing ITEM_ID, TIMESTAMP')
    await expect(control.send(new CreateSchemaCommand({ name: 'bad', schema: '{"type":"enum"}' }))).rejects.toThrow(
      'Invalid Avro schema'
    )
  })
})

describe('events plane with the real @aws-sdk/client-personalize-events', () => {
  test('PutEvents, PutUsers and PutItems are recorded', async () => {
    const { datasetGroupArn, datasets, trackingId } = await workshop()
    await events.send(
      new PutEventsCommand({
        trackingId,
        sessionId: 'anon-1',
        userId: 'user-1',
        eventList: [{ eventType: 'Product Viewed', sentAt: new Date(1795168800000), itemId: 'prod-81', eventId: 'm1' }]
      })
    )
    await events.send(
      new PutUsersCommand({
        datasetArn: datasets.Users,
        users: [{ userId: 'user-1', properties: '{"membershipLevel":"gold"}' }]
      })
    )
    await events.send(
      new PutItemsCommand({
        datasetArn: datasets.Items,
        items: [{ itemId: 'prod-81', properties: '{"category":"footwear"}' }]
      })
    )
    expect(emulator.store.events.get(datasetGroupArn)).toEqual([
      {
        trackingId,
        sessionId: 'anon-1',
        userId: 'user-1',
        eventType: 'Product Viewed',
        sentAt: 1795168800,
        itemId: 'prod-81',
        eventId: 'm1'
      }
    ])
    expect(emulator.store.metadata.get(datasets.Users!)?.get('user-1')).toBe('{"membershipLevel":"gold"}')
    expect(emulator.store.metadata.get(datasets.Items!)?.get('prod-81')).toBe('{"category":"footwear"}')
  })

  test('bad input gets InvalidInputException with AWS’s wording, and nothing is recorded', async () => {
    const { datasetGroupArn, trackingId } = await workshop()
    const error = await events
      .send(
        new PutEventsCommand({
          trackingId,
          sessionId: 's',
          eventList: [{ eventType: 'x', sentAt: new Date(), itemId: 'i'.repeat(257) }]
        })
      )
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidInputException)
    expect((error as Error).message).toMatch(
      /^1 validation error detected: Value 'i{257}' at 'eventList.1.member.itemId' failed to satisfy constraint: Member must have length less than or equal to 256$/
    )
    await expect(
      events.send(
        new PutEventsCommand({
          trackingId,
          sessionId: 's',
          eventList: [{ eventType: 'x', sentAt: new Date(), properties: '{"timestamp":1}' }]
        })
      )
    ).rejects.toThrow('must not contain the reserved key(s) timestamp')
    expect(emulator.store.events.get(datasetGroupArn)).toBeUndefined()
  })

  test('an unknown tracking ID is ResourceNotFoundException', async () => {
    await expect(
      events.send(
        new PutEventsCommand({
          trackingId: 'nope',
          sessionId: 's',
          eventList: [{ eventType: 'x', sentAt: new Date() }]
        })
      )
    ).rejects.toThrow('Could not find an event tracker with tracking ID nope')
  })
})

test('the destination’s trackEvent delivers to the emulator end to end', async () => {
  const { datasetGroupArn, trackingId } = await workshop()
  const settings = {
    region: 'us-west-2',
    trackingId,
    ...credentials,
    personalizeEventsEndpoint: endpoint,
    subscription: {
      subscribe: 'type = "track"',
      partnerAction: 'trackEvent',
      mapping: defaultValues(trackEvent.fields)
    }
  }
  const order: SegmentEvent = {
    type: 'track',
    event: 'Order Completed',
    messageId: 'order-1',
    userId: 'user-7',
    anonymousId: 'anon-7',
    timestamp: '2026-11-20T10:00:00Z',
    properties: { products: [{ product_id: 'a' }, { sku: 'B' }] }
  }
  const results = await new Destination(destination).onBatch([order], settings)
  expect(results[0]!.multistatus![0]).toMatchObject({ status: 200 })
  expect(emulator.store.events.get(datasetGroupArn)!.map((e) => [e.sessionId, e.userId, e.itemId, e.eventId])).toEqual([
    ['anon-7', 'user-7', 'a', 'order-1-0'],
    ['anon-7', 'user-7', 'B', 'order-1-1']
  ])
})

describe('raw HTTP', () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${endpoint}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })

  test('malformed JSON is a SerializationException, with the error headers and a request id', async () => {
    const res = await post('/events', '{nope')
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^SerializationException:/)
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    expect(await res.json()).toEqual({
      __type: 'SerializationException',
      message: 'Unexpected character in JSON request body'
    })
  })

  test('an unknown operation is UnknownOperationException, on both protocols', async () => {
    expect((await post('/nothing', '{}')).status).toBe(404)
    const res = await post('/', '{}', {
      'x-amz-target': 'AmazonPersonalize.CreateTeleporter',
      'content-type': 'application/x-amz-json-1.1'
    })
    // awsJson1_1 answers every client error with 400 (the model gives no other status).
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      __type: 'com.amazonaws.personalize#UnknownOperationException',
      message: 'Operation AmazonPersonalize.CreateTeleporter is not supported.'
    })
  })

  test('an oversized body is refused without being buffered', async () => {
    await emulator.close()
    emulator = createPersonalizeEmulator({ delayMs: 0, maxBodyBytes: 1024 })
    endpoint = await emulator.listen()
    const res = await post('/events', JSON.stringify({ trackingId: 'x'.repeat(5000) }))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      __type: 'SerializationException',
      message: 'Request body exceeds 1024 bytes'
    })
  })

  test('all constraint violations are reported at once', async () => {
    const res = await post('/events', JSON.stringify({ trackingId: '', eventList: [] }))
    expect(await res.json()).toMatchObject({
      __type: 'InvalidInputException',
      message: expect.stringMatching(/^3 validation errors detected: /)
    })
  })
})

test('every control-plane operation has an input shape, and every shape an operation', () => {
  expect(Object.keys(controlOperations('/tmp')).sort()).toEqual(Object.keys(CONTROL_SHAPES).sort())
})
