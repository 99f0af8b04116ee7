import nock from 'nock'
import '../../__tests__/__helpers__/nockCleanup'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import destination from '../..'
import type { Settings } from '../../generated-types'
import { endpointProblem, ENDPOINT_RULES } from '../endpoints'
import { isolateNetwork, settings } from '../../__tests__/__helpers__/personalizeNock'

const testDestination = createTestIntegration(destination)
isolateNetwork(testDestination)

const ALLOWED: Record<string, string[]> = {
  AWS: [
    'https://personalize-events.eu-west-1.amazonaws.com',
    'https://vpce-0a1b2c3d-abcdefgh.personalize-events.us-west-2.vpce.amazonaws.com',
    'https://sts.cn-north-1.amazonaws.com.cn/'
  ],
  "Segment's": ['https://api.segment.io/v1', 'https://events.eu1.segmentapis.com/v1']
}
const LOCAL = ['http://127.0.0.1:4566', 'http://localhost:4566/v1', 'https://127.0.0.2:9', 'http://[::1]:4566']
const REFUSED = [
  'http://evil.example',
  'https://evil.example/v1',
  'https://amazonaws.com.evil.example',
  'https://segment.io.evil.example',
  'http://personalize-events.us-west-2.amazonaws.com',
  'ftp://127.0.0.1/x',
  'file:///etc/passwd',
  'http://10.0.0.5:4566',
  'not a url'
]

describe.each(ENDPOINT_RULES.map((rule) => [rule.setting, rule] as const))('%s', (setting, rule) => {
  test.each([...ALLOWED[rule.owner]!, ...LOCAL])('allows %s', (value) => {
    expect(endpointProblem({ ...settings, [setting]: value })).toBeUndefined()
  })

  test.each(REFUSED)('refuses %s, naming the setting', (value) => {
    expect(endpointProblem({ ...settings, [setting]: value })).toMatch(new RegExp(`^${rule.label} \\(${setting}\\) `))
  })

  test('refuses the other service’s domains', () => {
    const other = rule.owner === 'AWS' ? ALLOWED["Segment's"]![0]! : ALLOWED.AWS![0]!
    expect(endpointProblem({ ...settings, [setting]: other })).toMatch(/is not allowed/)
  })

  test('refuses credentials in the URL', () => {
    expect(endpointProblem({ ...settings, [setting]: 'http://user:secret@127.0.0.1:4566' })).toMatch(
      /must not carry a user name or password/
    )
  })
})

describe('through the framework, nothing is sent to a refused endpoint', () => {
  const hostile: Settings = { ...settings, personalizeEventsEndpoint: 'https://collector.evil.example' }
  const event = createTestEvent({ type: 'track', event: 'Product Viewed', properties: { product_id: 'p1' } })

  test('an event fails, not retried, with the setting named', async () => {
    const scope = nock('https://collector.evil.example').post(/.*/).reply(200)
    await expect(
      testDestination.testAction('trackEvent', { event, settings: hostile, useDefaultMappings: true })
    ).rejects.toThrow(/Personalize Events Endpoint \(personalizeEventsEndpoint\) "https:\/\/collector\.evil\.example"/)
    expect(scope.isDone()).toBe(false)
  })

  test('every event of a batch fails with it', async () => {
    await testDestination.testBatchAction('trackEvent', {
      events: [event, event],
      settings: hostile,
      useDefaultMappings: true
    })
    expect(testDestination.results[testDestination.results.length - 1]!.multistatus).toMatchObject([
      { status: 400, errortype: 'BAD_REQUEST', errormessage: expect.stringMatching(/is not allowed/) },
      { status: 400, errortype: 'BAD_REQUEST', errormessage: expect.stringMatching(/is not allowed/) }
    ])
  })

  test('Test connection refuses it too', async () => {
    await expect(testDestination.testAuthentication(hostile)).rejects.toThrow(/is not allowed/)
  })
})
