// Optional SigV4 verification, checked with two independent signers: the AWS SDK v3's and the destination's (aws4).
import { CreateDatasetGroupCommand, ListDatasetGroupsCommand, PersonalizeClient } from '@aws-sdk/client-personalize'
import { createRequestClient } from '@segment/actions-core'
import { sendSigned } from '../../../destination/personalize/wire'
import { createPersonalizeEmulator } from '../server'
import aws4 from 'aws4'

const KEYS = { AKIDLOCAL: 'the-real-secret' }
let emulator: ReturnType<typeof createPersonalizeEmulator>
let endpoint: string

beforeEach(async () => {
  emulator = createPersonalizeEmulator({ delayMs: 0, keys: KEYS })
  endpoint = await emulator.listen()
})
afterEach(() => emulator.close())

const client = (accessKeyId: string, secretAccessKey: string) =>
  new PersonalizeClient({
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1
  })

test('a request the AWS SDK signed with a configured key is served', async () => {
  await expect(
    client('AKIDLOCAL', 'the-real-secret').send(new CreateDatasetGroupCommand({ name: 'signed' }))
  ).resolves.toMatchObject({
    datasetGroupArn: expect.stringContaining('dataset-group/signed')
  })
})

test('a request the destination signed with aws4 is served', async () => {
  const outcome = await sendSigned(createRequestClient(), {
    operation: 'ListDatasetGroups',
    url: `${endpoint}/`,
    region: 'us-west-2',
    service: 'personalize',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'the-real-secret' },
    body: '{}',
    contentType: 'application/x-amz-json-1.1',
    headers: { 'X-Amz-Target': 'AmazonPersonalize.ListDatasetGroups' }
  })
  expect(outcome).toMatchObject({ ok: true, status: 200 })
})

test.each([
  [
    'a wrong secret',
    'AKIDLOCAL',
    'not-the-secret',
    'InvalidSignatureException',
    'The request signature we calculated does not match'
  ],
  [
    'an unknown key',
    'AKIDOTHER',
    'the-real-secret',
    'UnrecognizedClientException',
    'The security token included in the request is invalid.'
  ]
])('%s is refused with the SDK’s typed error', async (_name, key, secret, type, message) => {
  await expect(client(key, secret).send(new ListDatasetGroupsCommand({}))).rejects.toMatchObject({
    name: type,
    message: expect.stringContaining(message)
  })
})

test('an unsigned request is MissingAuthenticationTokenException', async () => {
  const res = await fetch(`${endpoint}/events`, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' }
  })
  expect(res.status).toBe(403)
  expect(await res.json()).toEqual({
    __type: 'MissingAuthenticationTokenException',
    message: 'Missing Authentication Token'
  })
})

test('verification is off by default', async () => {
  const open = createPersonalizeEmulator({ delayMs: 0 })
  const url = await open.listen()
  const res = await fetch(`${url}/`, {
    method: 'POST',
    body: '{}',
    headers: { 'x-amz-target': 'AmazonPersonalize.ListDatasetGroups' }
  })
  expect(res.status).toBe(200)
  await open.close()
})

test('a request is checked against its own X-Amz-Date, not the moment it arrives (signed, then held 1.1 s)', async () => {
  const url = new URL('/', endpoint)
  const body = JSON.stringify({ maxResults: 1 })
  const signed = aws4.sign(
    {
      host: url.host,
      path: '/',
      method: 'POST',
      service: 'personalize',
      region: 'eu-west-1',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonPersonalize.ListDatasetGroups' },
      body
    },
    { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'the-real-secret' }
  )
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const response = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body })
  expect(response.status).toBe(200)
})
