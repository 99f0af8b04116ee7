// `lambda deploy` and `lambda teardown` against recorded AWS: nock answers IAM (Query protocol, XML), STS and Lambda
// (REST JSON) as AWS does, from a small in-memory account, and records every call; the tests assert the exact calls
// and the exact policies.
import nock from 'nock'
import '../../test/nockCleanup'
import { IAMClient } from '@aws-sdk/client-iam'
import { LambdaClient } from '@aws-sdk/client-lambda'
import { STSClient } from '@aws-sdk/client-sts'
import type { Settings } from '../../destination/generated-types'
import { deployLambda, describePlan, DeployError, MANAGED_TAG, teardownLambda } from '../deploy'

const REGION = 'eu-west-1'
const ACCOUNT = '123456789012'
const credentials = { accessKeyId: 'AKIDDEPLOY', secretAccessKey: 'deploy-secret' }
const clients = () => ({
  iam: new IAMClient({ region: REGION, credentials, maxAttempts: 1 }),
  lambda: new LambdaClient({ region: REGION, credentials, maxAttempts: 1 }),
  sts: new STSClient({ region: REGION, credentials, maxAttempts: 1 })
})

const settings: Settings = {
  region: REGION,
  trackingId: 'tracker-1',
  campaignArn: `arn:aws:personalize:${REGION}:${ACCOUNT}:campaign/shop`,
  segmentWriteKey: 'wk-roundtrip-123456'
}

interface Role {
  name: string
  trust: string
  tags: Array<{ Key: string; Value: string }>
  policies: Map<string, string>
}
interface LambdaFunction {
  name: string
  role: string
  environment: Record<string, string>
  tags: Record<string, string>
  zipBytes: number
}

/** An AWS account as far as deploy sees it. `refuse` names actions answered AccessDenied. */
function fakeAccount() {
  const calls: Array<{ action: string; params: Record<string, unknown> }> = []
  const roles = new Map<string, Role>()
  const functions = new Map<string, LambdaFunction>()
  const refuse = new Set<string>()
  /** CreateFunction calls answered as AWS does while a new role is not yet assumable by Lambda. */
  const propagating = { pending: 0 }
  const xml = (action: string, result = '') =>
    `<${action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`
  const iamError = (status: number, code: string, message: string): [number, string] => [
    status,
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`
  ]
  const roleXml = (role: Role) =>
    `<Role><Path>/</Path><RoleName>${role.name}</RoleName><RoleId>AROA${role.name.length}</RoleId><Arn>arn:aws:iam::${ACCOUNT}:role/${role.name}</Arn><CreateDate>2026-12-01T00:00:00Z</CreateDate><Tags>${role.tags.map((t) => `<member><Key>${t.Key}</Key><Value>${t.Value}</Value></member>`).join('')}</Tags></Role>`

  nock('https://iam.amazonaws.com')
    .persist()
    .post('/')
    .reply((_uri, body) => {
      const params = Object.fromEntries(new URLSearchParams(body as string).entries())
      const action = params.Action!
      calls.push({ action: `iam:${action}`, params })
      if (refuse.has(`iam:${action}`))
        return iamError(
          403,
          'AccessDenied',
          `User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: iam:${action}`
        )
      const role = roles.get(params.RoleName ?? '')
      switch (action) {
        case 'GetRole':
          return role
            ? [200, xml(action, roleXml(role))]
            : iamError(404, 'NoSuchEntity', `The role with name ${params.RoleName} cannot be found.`)
        case 'CreateRole': {
          const created: Role = {
            name: params.RoleName!,
            trust: params.AssumeRolePolicyDocument!,
            tags: params['Tags.member.1.Key']
              ? [{ Key: params['Tags.member.1.Key'], Value: params['Tags.member.1.Value']! }]
              : [],
            policies: new Map()
          }
          roles.set(created.name, created)
          return [200, xml(action, roleXml(created))]
        }
        case 'UpdateAssumeRolePolicy':
          role!.trust = params.PolicyDocument!
          return [200, xml(action)]
        case 'PutRolePolicy':
          role!.policies.set(params.PolicyName!, params.PolicyDocument!)
          return [200, xml(action)]
        case 'ListRolePolicies':
          return [
            200,
            xml(
              action,
              `<PolicyNames>${[...role!.policies.keys()].map((p) => `<member>${p}</member>`).join('')}</PolicyNames><IsTruncated>false</IsTruncated>`
            )
          ]
        case 'DeleteRolePolicy':
          role!.policies.delete(params.PolicyName!)
          return [200, xml(action)]
        case 'DeleteRole':
          roles.delete(params.RoleName!)
          return [200, xml(action)]
      }
      return iamError(400, 'InvalidAction', action)
    })

  nock(`https://sts.${REGION}.amazonaws.com`)
    .persist()
    .post('/')
    .reply(() => {
      calls.push({ action: 'sts:GetCallerIdentity', params: {} })
      return [
        200,
        `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::${ACCOUNT}:user/dev</Arn><UserId>AIDA</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`
      ]
    })

  const functionJson = (fn: LambdaFunction) => ({
    FunctionName: fn.name,
    FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn.name}`,
    Role: fn.role,
    State: 'Active',
    LastUpdateStatus: 'Successful'
  })
  const notFound = (name: string): [number, object, Record<string, string>] => [
    404,
    { Type: 'User', Message: `Function not found: arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}` },
    { 'x-amzn-errortype': 'ResourceNotFoundException' }
  ]
  const lambdaHost = nock(`https://lambda.${REGION}.amazonaws.com`).persist()
  const record = (action: string, params: Record<string, unknown>) => calls.push({ action: `lambda:${action}`, params })
  lambdaHost.get(/\/2015-03-31\/functions\/[^/]+$/).reply((uri) => {
    const name = decodeURIComponent(uri.split('/').pop()!)
    record('GetFunction', { FunctionName: name })
    const fn = functions.get(name)
    return fn ? [200, { Configuration: functionJson(fn), Tags: fn.tags }] : notFound(name)
  })
  lambdaHost.post('/2015-03-31/functions').reply((_uri, body) => {
    const input = body as {
      FunctionName: string
      Role: string
      Environment: { Variables: Record<string, string> }
      Tags: Record<string, string>
      Code: { ZipFile: string }
    }
    record('CreateFunction', {
      ...input,
      Code: { ZipFile: `<${Buffer.from(input.Code.ZipFile, 'base64').length} bytes>` }
    })
    if (propagating.pending-- > 0)
      return [
        400,
        { Type: 'User', Message: 'The role defined for the function cannot be assumed by Lambda.' },
        { 'x-amzn-errortype': 'InvalidParameterValueException' }
      ]
    if (refuse.has('lambda:CreateFunction'))
      return [
        403,
        { Message: 'not authorized to perform: lambda:CreateFunction' },
        { 'x-amzn-errortype': 'AccessDeniedException' }
      ]
    const fn = {
      name: input.FunctionName,
      role: input.Role,
      environment: input.Environment.Variables,
      tags: input.Tags,
      zipBytes: 1
    }
    functions.set(fn.name, fn)
    return [201, { ...functionJson(fn), State: 'Pending' }]
  })
  lambdaHost.put(/\/2015-03-31\/functions\/[^/]+\/code$/).reply((uri) => {
    const name = decodeURIComponent(uri.split('/')[3]!)
    record('UpdateFunctionCode', { FunctionName: name })
    return [200, functionJson(functions.get(name)!)]
  })
  lambdaHost.put(/\/2015-03-31\/functions\/[^/]+\/configuration$/).reply((uri, body) => {
    const name = decodeURIComponent(uri.split('/')[3]!)
    const input = body as { Role: string; Environment: { Variables: Record<string, string> } }
    record('UpdateFunctionConfiguration', { FunctionName: name, ...input })
    const fn = functions.get(name)!
    fn.role = input.Role
    fn.environment = input.Environment.Variables
    return [200, functionJson(fn)]
  })
  lambdaHost.delete(/\/2015-03-31\/functions\/[^/]+$/).reply((uri) => {
    const name = decodeURIComponent(uri.split('/').pop()!)
    record('DeleteFunction', { FunctionName: name })
    functions.delete(name)
    return [204, '']
  })
  return { calls, roles, functions, refuse, propagating, actions: () => calls.map((c) => c.action) }
}

let account: ReturnType<typeof fakeAccount>
beforeEach(() => {
  nock.disableNetConnect()
  account = fakeAccount()
})
afterEach(() => nock.cleanAll())

const deploy = () =>
  deployLambda({
    name: 'shop-personalize',
    settings,
    externalId: 'source-id-42',
    zip: Buffer.from('zip bytes'),
    clients: clients(),
    rolePropagationMs: 0
  })

const EXECUTION_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Logs',
      Effect: 'Allow',
      Action: 'logs:CreateLogGroup',
      Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/shop-personalize`
    },
    {
      Sid: 'LogEvents',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/shop-personalize:*`
    },
    { Sid: 'PutEvents', Effect: 'Allow', Action: 'personalize:PutEvents', Resource: '*' },
    {
      Sid: 'GetRecommendations',
      Effect: 'Allow',
      Action: 'personalize:GetRecommendations',
      Resource: settings.campaignArn
    }
  ]
}

test('a first deploy makes the execution role, the function and the invoke role, with exactly these calls and policies', async () => {
  const deployed = await deploy()
  expect(account.actions()).toEqual([
    'sts:GetCallerIdentity',
    'iam:GetRole',
    'iam:CreateRole',
    'iam:PutRolePolicy',
    'lambda:GetFunction',
    'lambda:CreateFunction',
    'lambda:GetFunction',
    'iam:GetRole',
    'iam:CreateRole',
    'iam:PutRolePolicy'
  ])
  const execution = account.roles.get('shop-personalize-execution')!
  expect(JSON.parse(execution.trust)).toEqual({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]
  })
  expect(JSON.parse(execution.policies.get('segment-personalize')!)).toEqual(EXECUTION_POLICY)
  expect(execution.tags).toEqual([MANAGED_TAG])

  const invoke = account.roles.get('shop-personalize-segment-invoke')!
  expect(JSON.parse(invoke.trust)).toEqual({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::595280932656:root' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'source-id-42' } }
      }
    ]
  })
  expect(JSON.parse(invoke.policies.get('segment-personalize')!)).toEqual({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: deployed.functionArn }]
  })

  const created = account.calls.find((c) => c.action === 'lambda:CreateFunction')!.params
  expect(created).toEqual({
    FunctionName: 'shop-personalize',
    Role: `arn:aws:iam::${ACCOUNT}:role/shop-personalize-execution`,
    Runtime: 'nodejs22.x',
    Handler: 'index.handler',
    Timeout: 10,
    MemorySize: 256,
    Environment: {
      Variables: {
        PERSONALIZE_REGION: REGION,
        PERSONALIZE_TRACKING_ID: 'tracker-1',
        PERSONALIZE_CAMPAIGN_ARN: settings.campaignArn,
        SEGMENT_WRITE_KEY: settings.segmentWriteKey
      }
    },
    Code: { ZipFile: '<9 bytes>' },
    Tags: { 'managed-by': 'segment-personalize' }
  })
  expect(deployed).toMatchObject({
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:shop-personalize`,
    invokeRoleArn: `arn:aws:iam::${ACCOUNT}:role/shop-personalize-segment-invoke`
  })
})

test('PutUsers and PutItems are granted only on the datasets that are configured', async () => {
  await deployLambda({
    name: 'shop-personalize',
    settings: {
      ...settings,
      usersDatasetArn: `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset/shop/USERS`,
      itemsDatasetArn: `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset/shop/ITEMS`
    },
    externalId: 'x',
    zip: Buffer.from('z'),
    clients: clients()
  })
  const policy = JSON.parse(account.roles.get('shop-personalize-execution')!.policies.get('segment-personalize')!) as {
    Statement: Array<{ Action: string; Resource: string }>
  }
  expect(policy.Statement.slice(3).map((s) => [s.Action, s.Resource])).toEqual([
    ['personalize:GetRecommendations', settings.campaignArn],
    ['personalize:PutUsers', `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset/shop/USERS`],
    ['personalize:PutItems', `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset/shop/ITEMS`]
  ])
})

test('a second deploy finds everything by name and updates it', async () => {
  await deploy()
  account.calls.length = 0
  await deploy()
  expect(account.actions()).toEqual([
    'sts:GetCallerIdentity',
    'iam:GetRole',
    'iam:UpdateAssumeRolePolicy',
    'iam:PutRolePolicy',
    'lambda:GetFunction',
    'lambda:UpdateFunctionCode',
    'lambda:GetFunction',
    'lambda:UpdateFunctionConfiguration',
    'lambda:GetFunction',
    'iam:GetRole',
    'iam:UpdateAssumeRolePolicy',
    'iam:PutRolePolicy'
  ])
})

test('a function or role of the same name that we did not make is never changed', async () => {
  account.roles.set('shop-personalize-execution', {
    name: 'shop-personalize-execution',
    trust: '{}',
    tags: [],
    policies: new Map()
  })
  await expect(deploy()).rejects.toThrow(
    /IAM role shop-personalize-execution exists and was not made by segment-personalize .* left as it is/
  )
  expect(account.actions()).toEqual(['sts:GetCallerIdentity', 'iam:GetRole'])

  account.roles.clear()
  account.functions.set('shop-personalize', {
    name: 'shop-personalize',
    role: 'r',
    environment: {},
    tags: {},
    zipBytes: 1
  })
  await expect(deploy()).rejects.toThrow(
    /Lambda function shop-personalize exists and was not made by segment-personalize/
  )
  expect(account.actions().filter((a) => /Update|Create(?!Role)/.test(a) && a.startsWith('lambda'))).toEqual([])
})

test('CreateFunction is tried again while IAM propagates the new execution role', async () => {
  account.propagating.pending = 1
  await deployLambda({
    name: 'shop-personalize',
    settings,
    externalId: 'x',
    zip: Buffer.from('z'),
    clients: clients(),
    rolePropagationMs: 10_000
  })
  expect(account.actions().filter((a) => a === 'lambda:CreateFunction')).toHaveLength(2)
  expect(account.functions.has('shop-personalize')).toBe(true)
})

test.each([
  ['iam:CreateRole', 'iam:CreateRole'],
  ['lambda:CreateFunction', 'lambda:CreateFunction']
])('a missing permission (%s) names the IAM action', async (refused, action) => {
  account.refuse.add(refused)
  const error = await deploy().catch((e: unknown) => e)
  expect(error).toBeInstanceOf(DeployError)
  expect((error as Error).message).toMatch(new RegExp(`may not call ${action}: grant it`))
})

test('teardown deletes what deploy made, policies first, and keeps what it did not make', async () => {
  await deploy()
  account.roles.set('other-segment-invoke', {
    name: 'other-segment-invoke',
    trust: '{}',
    tags: [],
    policies: new Map()
  })
  account.calls.length = 0
  const { steps } = await teardownLambda('shop-personalize', clients())
  expect(account.actions()).toEqual([
    'lambda:GetFunction',
    'lambda:DeleteFunction',
    'iam:GetRole',
    'iam:ListRolePolicies',
    'iam:DeleteRolePolicy',
    'iam:DeleteRole',
    'iam:GetRole',
    'iam:ListRolePolicies',
    'iam:DeleteRolePolicy',
    'iam:DeleteRole'
  ])
  expect(steps).toEqual([
    'deleted function shop-personalize',
    'deleted role shop-personalize-segment-invoke',
    'deleted role shop-personalize-execution'
  ])
  expect([...account.roles.keys()]).toEqual(['other-segment-invoke'])
  expect((await teardownLambda('other', clients())).steps).toEqual([
    'function other: not found',
    'role other-segment-invoke: not made by segment-personalize, kept',
    'role other-execution: not found'
  ])
})

test('--dry-run describes every call and policy and makes none', () => {
  const plan = describePlan({ name: 'shop-personalize', settings, externalId: 'source-id-42' }, ACCOUNT)
  expect(account.calls).toHaveLength(0)
  expect(plan).toContain('"sts:ExternalId": "source-id-42"')
  expect(plan).toContain('"personalize:GetRecommendations"')
  expect(plan).toContain(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:shop-personalize`)
  expect(plan).toContain('PERSONALIZE_TRACKING_ID=tracker-1')
  // The write key is a secret: shown only by its start.
  expect(plan).toContain('SEGMENT_WRITE_KEY=wk-r…')
  expect(plan).not.toContain(settings.segmentWriteKey)
})
