import nock from 'nock'
import '../../__tests__/__helpers__/nockCleanup'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import destination from '../..'
import type { Settings } from '../../generated-types'
import { useCredentialChain } from '../credentials'
import { clearIntermediaryRole, INTERMEDIARY_EXTERNAL_ID_ENV, INTERMEDIARY_ROLE_ENV } from '../intermediaryRole'
import {
  formParams,
  recordPutEvents,
  settings as keySettings,
  isolateNetwork
} from '../../__tests__/__helpers__/personalizeNock'

const STS = 'https://sts.us-west-2.amazonaws.com'
const ROLE = 'arn:aws:iam::123456789012:role/segment-personalize'
const roleSettings: Settings = {
  region: 'us-west-2',
  trackingId: 'tracking-123',
  iamRoleArn: ROLE,
  iamExternalId: 'ext-secret-42'
}
const testDestination = createTestIntegration(destination)
const event = createTestEvent({ type: 'track', event: 'Product Viewed', properties: { product_id: 'p1' } })

const assumeRoleXml = (
  expiration: Date,
  key = 'ASIAASSUMED'
) => `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult><Credentials>
    <AccessKeyId>${key}</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey>
    <SessionToken>assumed-session-token</SessionToken><Expiration>${expiration.toISOString()}</Expiration>
  </Credentials></AssumeRoleResult></AssumeRoleResponse>`
const stsError = (code: string, message: string) =>
  `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error></ErrorResponse>`
const inOneHour = () => new Date(Date.now() + 3600_000)

interface StsCall {
  params: URLSearchParams
  authorization: string
}

function recordSts(reply: (params: URLSearchParams) => [number, string]): StsCall[] {
  const calls: StsCall[] = []
  nock(STS)
    .persist()
    .post('/')
    .reply(function (_uri, body) {
      const params = new URLSearchParams(body as string)
      calls.push({ params, authorization: String(this.req.headers.authorization) })
      return reply(params)
    })
  return calls
}

const env = { ...process.env }
isolateNetwork(testDestination)
beforeEach(() => {
  // The user's own credential chain, as our command line hands it in; the environment's keys are another
  // server's ambient credentials, which the destination must never pick up by itself.
  useCredentialChain(() => Promise.resolve({ accessKeyId: 'AKIDBASE', secretAccessKey: 'base-secret' }))
  process.env = { ...env, AWS_ACCESS_KEY_ID: 'AKIDAMBIENT', AWS_SECRET_ACCESS_KEY: 'ambient-secret' }
  delete process.env.AWS_SESSION_TOKEN
})
afterEach(() => {
  process.env = env
  useCredentialChain(undefined)
  clearIntermediaryRole()
})

describe('assuming the IAM role', () => {
  test('calls STS AssumeRole with the role, the external ID and the base credentials, then signs PutEvents with the result', async () => {
    const sts = recordSts(() => [200, assumeRoleXml(inOneHour())])
    const calls = recordPutEvents()
    await testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    expect(sts).toHaveLength(1)
    expect(formParams(sts[0]!.params.toString())).toMatchObject({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: ROLE,
      ExternalId: 'ext-secret-42',
      DurationSeconds: '3600',
      RoleSessionName: expect.stringMatching(/^segment-personalize-\d+$/)
    })
    expect(sts[0]!.authorization).toMatch(/Credential=AKIDBASE\/\d{8}\/us-west-2\/sts\/aws4_request/)
    expect(calls[0]!.headers.authorization).toMatch(
      /Credential=ASIAASSUMED\/\d{8}\/us-west-2\/personalize\/aws4_request/
    )
    expect(calls[0]!.headers['x-amz-security-token']).toBe('assumed-session-token')
  })

  test('the access key pair, when set with a role, signs the AssumeRole call', async () => {
    const sts = recordSts(() => [200, assumeRoleXml(inOneHour())])
    recordPutEvents()
    await testDestination.testAction('trackEvent', {
      event,
      settings: { ...roleSettings, accessKeyId: 'AKIDUSER', secretAccessKey: 's' },
      useDefaultMappings: true
    })
    expect(sts[0]!.authorization).toMatch(/Credential=AKIDUSER\//)
  })

  test('credentials are reused until shortly before they expire', async () => {
    const sts = recordSts(() => [200, assumeRoleXml(inOneHour())])
    recordPutEvents()
    for (let i = 0; i < 3; i++)
      await testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    expect(sts).toHaveLength(1)
  })

  test('concurrent calls share one AssumeRole', async () => {
    const sts = recordSts(() => [200, assumeRoleXml(inOneHour())])
    recordPutEvents()
    const run = () =>
      testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    await Promise.all([run(), run(), run()])
    expect(sts).toHaveLength(1)
  })

  test('credentials within five minutes of expiry are renewed', async () => {
    const sts = recordSts(() => [200, assumeRoleXml(new Date(Date.now() + 4 * 60_000))])
    recordPutEvents()
    await testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    await testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    expect(sts).toHaveLength(2)
  })

  test('a different external ID is a different cache entry', async () => {
    const sts = recordSts(() => [200, assumeRoleXml(inOneHour())])
    recordPutEvents()
    await testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    await testDestination.testAction('trackEvent', {
      event,
      settings: { ...roleSettings, iamExternalId: 'other' },
      useDefaultMappings: true
    })
    expect(sts).toHaveLength(2)
  })

  test('after AWS rejects the assumed credentials, the next event assumes the role again', async () => {
    const sts = recordSts(() => [200, assumeRoleXml(inOneHour())])
    let first = true
    recordPutEvents(() => {
      if (!first) return [200, '']
      first = false
      return [
        403,
        { message: 'The security token included in the request is expired' },
        { 'x-amzn-errortype': 'ExpiredTokenException' }
      ]
    })
    await expect(
      testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    ).rejects.toThrow(/ExpiredTokenException/)
    await testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    expect(sts).toHaveLength(2)
  })

  test('a refused AssumeRole is an authentication error naming the role settings, for every event of a batch', async () => {
    recordSts(() => [403, stsError('AccessDenied', 'User is not authorized to perform: sts:AssumeRole')])
    const calls = recordPutEvents()
    await testDestination.testBatchAction('trackEvent', {
      events: [event, event],
      settings: roleSettings,
      useDefaultMappings: true
    })
    const multistatus = testDestination.results.at(-1)!.multistatus!
    expect(multistatus).toHaveLength(2)
    for (const status of multistatus) {
      expect(status).toMatchObject({
        status: 401,
        errortype: 'INVALID_AUTHENTICATION',
        errormessage: `Could not assume the role in IAM Role ARN (${ROLE}) with the External ID setting: AccessDenied: User is not authorized to perform: sts:AssumeRole. Check both settings and the role's trust policy.`
      })
    }
    expect(calls).toHaveLength(0)
  })

  test('STS throttling is retryable, not an authentication error', async () => {
    recordSts(() => [400, stsError('Throttling', 'Rate exceeded')])
    await expect(
      testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    ).rejects.toMatchObject({
      status: 429
    })
  })

  test.each([
    ['a malformed role ARN', { iamRoleArn: 'my-role' }, 'IAM Role ARN "my-role" is not a role ARN'],
    ['a missing external ID', { iamExternalId: undefined }, 'External ID is required with IAM Role ARN']
  ])('%s is reported without calling STS', async (_name, change, message) => {
    const sts = recordSts(() => [200, assumeRoleXml(inOneHour())])
    await expect(
      testDestination.testAction('trackEvent', {
        event,
        settings: { ...roleSettings, ...change },
        useDefaultMappings: true
      })
    ).rejects.toThrow(message)
    expect(sts).toHaveLength(0)
  })

  test('without keys in the settings or a credential chain handed in, the environment’s keys are never used', async () => {
    useCredentialChain(undefined)
    const sts = recordSts(() => [200, assumeRoleXml(inOneHour())])
    await expect(
      testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    ).rejects.toThrow(/needs AWS credentials to call STS with: set Access Key ID and Secret Access Key/)
    expect(sts).toHaveLength(0)
  })

  test('a credential chain with no credentials is an authentication error; any other failure of it is retryable', async () => {
    const missing = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError'
    })
    useCredentialChain(() => Promise.reject(missing))
    await expect(
      testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    ).rejects.toMatchObject({ status: 401, message: expect.stringMatching(/Could not load credentials/) })
    useCredentialChain(() => Promise.reject(new Error('socket hang up')))
    await expect(
      testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    ).rejects.toMatchObject({ status: 503 })
  })

  test('the STS Endpoint override is used', async () => {
    const scope = nock('http://127.0.0.1:4599').post('/').reply(200, assumeRoleXml(inOneHour()))
    recordPutEvents()
    await testDestination.testAction('trackEvent', {
      event,
      settings: { ...roleSettings, stsEndpoint: 'http://127.0.0.1:4599' },
      useDefaultMappings: true
    })
    expect(scope.isDone()).toBe(true)
  })
})

describe("inside Segment: Segment's intermediary role first, then the customer's", () => {
  const INTERMEDIARY = 'arn:aws:iam::111122223333:role/segment-personalize-intermediary'
  beforeEach(() => {
    // Segment's pod: its own credentials (here from the environment, through the SDK's default chain) and the
    // intermediary role named for this destination.
    useCredentialChain(undefined)
    process.env[INTERMEDIARY_ROLE_ENV] = INTERMEDIARY
    process.env[INTERMEDIARY_EXTERNAL_ID_ENV] = 'segment-intermediary-external-id'
    process.env.AWS_REGION = 'us-west-2'
  })

  test('the platform’s credentials assume the intermediary role; only its credentials assume the customer’s', async () => {
    const sts = recordSts((params) =>
      params.get('RoleArn') === INTERMEDIARY
        ? [200, assumeRoleXml(inOneHour(), 'ASIAINTERMEDIARY')]
        : [200, assumeRoleXml(inOneHour())]
    )
    const calls = recordPutEvents()
    await testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    expect(sts.map((call) => [call.params.get('RoleArn'), call.params.get('ExternalId')])).toEqual([
      [INTERMEDIARY, 'segment-intermediary-external-id'],
      [ROLE, 'ext-secret-42']
    ])
    expect(sts[0]!.authorization).toMatch(/Credential=AKIDAMBIENT\//)
    expect(sts[1]!.authorization).toMatch(/Credential=ASIAINTERMEDIARY\//)
    expect(calls[0]!.headers.authorization).toMatch(/Credential=ASIAASSUMED\//)
  })

  test('the intermediary credentials are reused until shortly before they expire', async () => {
    const sts = recordSts((params) =>
      params.get('RoleArn') === INTERMEDIARY
        ? [200, assumeRoleXml(inOneHour(), 'ASIAINTERMEDIARY')]
        : [200, assumeRoleXml(new Date(Date.now() + 60_000))]
    )
    recordPutEvents()
    await testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    await testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    expect(sts.map((call) => call.params.get('RoleArn'))).toEqual([INTERMEDIARY, ROLE, ROLE])
  })

  test('without Segment’s variables, the platform’s credentials sign nothing', async () => {
    delete process.env[INTERMEDIARY_ROLE_ENV]
    const sts = recordSts(() => [200, assumeRoleXml(inOneHour())])
    await expect(
      testDestination.testAction('trackEvent', { event, settings: roleSettings, useDefaultMappings: true })
    ).rejects.toThrow(/needs AWS credentials to call STS/)
    expect(sts).toHaveLength(0)
  })
})

describe('access keys', () => {
  test('sign PutEvents directly, without STS', async () => {
    const sts = recordSts(() => [200, assumeRoleXml(inOneHour())])
    const calls = recordPutEvents()
    await testDestination.testAction('trackEvent', { event, settings: keySettings, useDefaultMappings: true })
    expect(sts).toHaveLength(0)
    expect(calls[0]!.headers.authorization).toMatch(/Credential=AKIDEXAMPLE\//)
  })

  test('without keys or a role, the credential chain handed in signs PutEvents (a Lambda’s execution role)', async () => {
    useCredentialChain(() =>
      Promise.resolve({ accessKeyId: 'ASIAEXECUTION', secretAccessKey: 's', sessionToken: 'execution-token' })
    )
    const calls = recordPutEvents()
    await testDestination.testAction('trackEvent', {
      event,
      settings: { region: 'us-west-2', trackingId: 't' },
      useDefaultMappings: true
    })
    expect(calls[0]!.headers.authorization).toMatch(/Credential=ASIAEXECUTION\//)
    expect(calls[0]!.headers['x-amz-security-token']).toBe('execution-token')
  })

  test('no credentials at all is an authentication error that says what to set', async () => {
    useCredentialChain(undefined)
    await expect(
      testDestination.testAction('trackEvent', {
        event,
        settings: { region: 'us-west-2', trackingId: 't' },
        useDefaultMappings: true
      })
    ).rejects.toThrow(
      'No AWS credentials are set: fill in IAM Role ARN and External ID, or Access Key ID and Secret Access Key.'
    )
  })
})

describe('testAuthentication', () => {
  const identityXml = (arn: string) =>
    `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>${arn}</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>`

  test('access keys that work pass', async () => {
    const sts = recordSts(() => [200, identityXml('arn:aws:iam::123456789012:user/segment')])
    await expect(testDestination.testAuthentication(keySettings)).resolves.not.toThrow()
    expect(sts.map((c) => c.params.get('Action'))).toEqual(['GetCallerIdentity'])
  })

  test.each([
    [
      'InvalidClientTokenId',
      'The security token included in the request is invalid.',
      'Access Key ID is not an active AWS access key.'
    ],
    [
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match',
      'Secret Access Key does not belong to the Access Key ID.'
    ]
  ])('%s names the setting to fix', async (code, message, hint) => {
    recordSts(() => [403, stsError(code, message)])
    await expect(testDestination.testAuthentication(keySettings)).rejects.toThrow(hint)
  })

  test('a role that can be assumed passes, and the assumed credentials are checked', async () => {
    const sts = recordSts((params) =>
      params.get('Action') === 'AssumeRole' ? [200, assumeRoleXml(inOneHour())] : [200, identityXml(`${ROLE}/session`)]
    )
    await expect(testDestination.testAuthentication(roleSettings)).resolves.not.toThrow()
    expect(sts.map((c) => c.params.get('Action'))).toEqual(['AssumeRole', 'GetCallerIdentity'])
    expect(sts[1]!.authorization).toMatch(/Credential=ASIAASSUMED\//)
  })

  test('a role that cannot be assumed names IAM Role ARN and External ID', async () => {
    recordSts(() => [403, stsError('AccessDenied', 'not authorized')])
    await expect(testDestination.testAuthentication(roleSettings)).rejects.toThrow(
      /IAM Role ARN .* External ID setting/
    )
  })

  test('missing credentials are reported', async () => {
    useCredentialChain(undefined)
    await expect(testDestination.testAuthentication({ region: 'us-west-2', trackingId: 't' })).rejects.toThrow(
      /No AWS credentials are set/
    )
  })
})
