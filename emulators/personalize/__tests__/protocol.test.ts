// The error and result shapes, checked with the real AWS SDK v3 clients: they must rebuild typed exceptions.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { PersonalizeEventsClient, PutEventsCommand, InvalidInputException } from '@aws-sdk/client-personalize-events'
import { PersonalizeClient, DescribeCampaignCommand, ResourceNotFoundException } from '@aws-sdk/client-personalize'
import {
  AwsError,
  ERRORS,
  MODELLED_STATUS,
  parseJson,
  readBody,
  sendError,
  sendResult,
  statusOf,
  type Protocol
} from '../protocol'

let answer: (res: http.ServerResponse) => void = () => undefined
const received: string[] = []
let server: http.Server
let endpoint: string

beforeAll(async () => {
  server = http.createServer((req, res) => {
    void readBody(req, 100).then((body) => {
      received.push(body ?? '<too large>')
      answer(res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => server.close())

const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret' }
const events = () => new PersonalizeEventsClient({ region: 'us-west-2', endpoint, credentials, maxAttempts: 1 })
const input = { trackingId: 't', sessionId: 's', eventList: [{ eventType: 'Viewed', sentAt: new Date(), itemId: 'i' }] }

test('a restJson1 error becomes the SDK’s typed exception, with its message and request id', async () => {
  answer = (res) => sendError(res, 'restJson1', ERRORS.invalidInput('1 validation error detected: …'))
  const error = await events()
    .send(new PutEventsCommand(input))
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(InvalidInputException)
  expect((error as InvalidInputException).message).toBe('1 validation error detected: …')
  expect((error as InvalidInputException).$metadata.httpStatusCode).toBe(400)
  expect((error as InvalidInputException).$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
})

test('an awsJson1_1 error becomes the control plane client’s typed exception', async () => {
  answer = (res) =>
    sendError(
      res,
      'awsJson1_1',
      ERRORS.notFound('Could not find resource with ARN arn:aws:personalize:us-west-2:1:campaign/x')
    )
  const client = new PersonalizeClient({ region: 'us-west-2', endpoint, credentials, maxAttempts: 1 })
  const error = await client
    .send(new DescribeCampaignCommand({ campaignArn: 'arn:aws:personalize:us-west-2:1:campaign/x' }))
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ResourceNotFoundException)
  expect((error as Error).message).toContain('Could not find resource')
})

test.each(Object.entries(ERRORS).map(([name, make]) => [name, make('m')] as const))(
  'ERRORS.%s is decoded by the SDK under its type name and status',
  async (_name, error) => {
    answer = (res) => sendError(res, 'restJson1', error)
    const thrown = (await events()
      .send(new PutEventsCommand(input))
      .catch((e: unknown) => e)) as { name: string; $metadata: { httpStatusCode: number } }
    expect(thrown.name).toBe(error.type)
    expect(thrown.$metadata.httpStatusCode).toBe(statusOf('restJson1', error))
  }
)

// One row per modelled error and protocol: the status the SDK sees is the model's (400 for every control-plane
// exception, 404/409 for the runtime's and events' ResourceNotFound/ResourceInUse).
test.each(
  (Object.entries(MODELLED_STATUS) as Array<[Protocol, Record<string, number>]>).flatMap(([protocol, table]) =>
    Object.entries(table).map(([type, status]) => [protocol, type, status] as const)
  )
)('%s answers %s with HTTP %d', async (protocol, type, status) => {
  answer = (res) => sendError(res, protocol, new AwsError(type, 418, 'm'))
  const thrown =
    protocol === 'restJson1'
      ? await events()
          .send(new PutEventsCommand(input))
          .catch((e: unknown) => e)
      : await new PersonalizeClient({ region: 'us-west-2', endpoint, credentials, maxAttempts: 1 })
          .send(new DescribeCampaignCommand({ campaignArn: 'arn:aws:personalize:us-west-2:1:campaign/x' }))
          .catch((e: unknown) => e)
  expect((thrown as { name: string }).name).toBe(type)
  expect((thrown as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(status)
})

test('an empty success answer is what PutEvents expects', async () => {
  answer = (res) => sendResult(res, 'restJson1')
  await expect(events().send(new PutEventsCommand(input))).resolves.toMatchObject({
    $metadata: { httpStatusCode: 200 }
  })
})

test('readBody stops at the limit instead of buffering', async () => {
  answer = (res) => sendResult(res, 'restJson1')
  const big = await fetch(`${endpoint}/events`, { method: 'POST', body: 'x'.repeat(1000) })
  expect(big.status).toBe(200)
  expect(received.at(-1)).toBe('<too large>')
})

describe('parseJson', () => {
  test.each([
    ['{"a":1}', { a: 1 }],
    ['', {}],
    [
      '{not json',
      { type: 'SerializationException', status: 400, message: 'Unexpected character in JSON request body' }
    ],
    ['[1]', { type: 'SerializationException', status: 400, message: 'Start of structure or map expected' }]
  ] as Array<[string, unknown]>)('%p', (text, expected) => {
    expect(parseJson(text)).toEqual(expected)
  })
})
