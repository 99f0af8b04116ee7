import nock from 'nock'
import '../../__tests__/__helpers__/nockCleanup'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import type { JSONObject } from '@segment/actions-core'
import destination from '../..'
import type { Settings } from '../../generated-types'
import { awsError, EVENTS_HOST, isolateNetwork, settings as base } from '../../__tests__/__helpers__/personalizeNock'

const DATASET = 'arn:aws:personalize:us-west-2:123456789012:dataset/segment-workshop/USERS'
const settings: Settings = { ...base, usersDatasetArn: DATASET }
const testDestination = createTestIntegration(destination)
isolateNetwork(testDestination)

interface PutUsersBody {
  datasetArn: string
  users: Array<{ userId: string; properties?: string }>
}

function recordPutUsers(
  reply: (body: PutUsersBody) => [number, string | object, Record<string, string>?] = () => [200, '']
) {
  const calls: PutUsersBody[] = []
  nock(EVENTS_HOST)
    .persist()
    .post('/users')
    .reply((_uri, body) => {
      calls.push(body as PutUsersBody)
      return reply(body as PutUsersBody)
    })
  return calls
}

const identify = (
  userId: string | null,
  traits: JSONObject = { plan: 'gold', email: 'ada@example.com', interests: ['hiking', 'tea'] }
) => createTestEvent({ type: 'identify', userId, traits })
const mapping = {
  properties: { membershipLevel: { '@path': '$.traits.plan' }, interests: { '@path': '$.traits.interests' } }
}

test('sends only the mapped traits, as a JSON string, with lists joined by "|"', async () => {
  const calls = recordPutUsers()
  await testDestination.testAction('identifyUser', {
    event: identify('user-1'),
    settings,
    mapping,
    useDefaultMappings: true
  })
  expect(calls).toEqual([
    {
      datasetArn: DATASET,
      users: [{ userId: 'user-1', properties: '{"membershipLevel":"gold","interests":"hiking|tea"}' }]
    }
  ])
  expect(JSON.stringify(calls)).not.toContain('ada@example.com')
})

test('sends no traits at all unless they are mapped', async () => {
  const calls = recordPutUsers()
  await testDestination.testAction('identifyUser', { event: identify('user-1'), settings, useDefaultMappings: true })
  expect(calls[0]!.users).toEqual([{ userId: 'user-1' }])
})

test('a batch goes ten users per call, and a user identified twice is sent once with the last traits', async () => {
  const calls = recordPutUsers()
  const events = [
    ...Array.from({ length: 12 }, (_, i) => identify(`user-${i}`, { plan: 'basic' })),
    identify('user-3', { plan: 'gold' })
  ]
  await testDestination.testBatchAction('identifyUser', { events, settings, mapping, useDefaultMappings: true })
  expect(calls.map((c) => c.users.length).sort()).toEqual([10, 2])
  const user3 = calls.flatMap((c) => c.users).filter((u) => u.userId === 'user-3')
  expect(user3).toEqual([{ userId: 'user-3', properties: '{"membershipLevel":"gold"}' }])
  expect(testDestination.results.at(-1)!.multistatus!.every((s) => s.status === 200)).toBe(true)
})

test('an event without a user fails alone; properties over 24,000 characters are refused', async () => {
  const calls = recordPutUsers()
  const events = [identify('ok'), identify(null), identify('big', { plan: 'x'.repeat(24_001) })]
  await testDestination.testBatchAction('identifyUser', { events, settings, mapping, useDefaultMappings: true })
  const multistatus = testDestination.results.at(-1)!.multistatus!
  expect(multistatus.map((s) => s.status)).toEqual([200, 400, 400])
  expect(multistatus[2]).toMatchObject({
    errormessage: expect.stringMatching(/^properties is 240\d\d characters as JSON; Personalize accepts at most 24000/)
  })
  expect(calls.flatMap((c) => c.users.map((u) => u.userId))).toEqual(['ok'])
})

test('without a Users Dataset ARN the event is skipped, not failed, and the setting is named', async () => {
  const responses = await testDestination.testAction('identifyUser', {
    event: identify('u'),
    settings: base,
    useDefaultMappings: true
  })
  expect(responses).toHaveLength(0)
  expect(testDestination.results[testDestination.results.length - 1]).toMatchObject({
    data: { skipped: expect.stringContaining('Users Dataset ARN is not set') }
  })
})

test('an unknown dataset names the setting; a throttled call is retryable', async () => {
  recordPutUsers(() => awsError(404, 'ResourceNotFoundException', 'Dataset not found'))
  await expect(
    testDestination.testAction('identifyUser', { event: identify('u'), settings, useDefaultMappings: true })
  ).rejects.toThrow(`Check the Users Dataset ARN setting ("${DATASET}")`)
  nock.cleanAll()
  recordPutUsers(() => awsError(400, 'ThrottlingException', 'Rate exceeded'))
  await expect(
    testDestination.testAction('identifyUser', { event: identify('u'), settings, useDefaultMappings: true })
  ).rejects.toMatchObject({
    name: 'RetryableError',
    status: 429
  })
})
