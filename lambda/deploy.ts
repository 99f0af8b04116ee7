// `segment-personalize lambda deploy`: the function Segment's Amazon Personalize (Lambda) destination invokes, its
// execution role and the role Segment assumes to invoke it, created or updated by name, as `provision` does for
// Personalize. Everything it makes carries the tag below; a function or role of the same name without it was not made
// by us and is never changed. https://segment.com/docs/connections/destinations/catalog/amazon-lambda/
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  type IAMClient,
  type Role
} from '@aws-sdk/client-iam'
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type GetFunctionCommandOutput,
  type LambdaClient
} from '@aws-sdk/client-lambda'
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts'
import type { Settings } from '../destination/generated-types'
import { environmentFor } from './environment'
import { executionPolicy, invokePolicy, lambdaTrustPolicy, segmentTrustPolicy, type PolicyDocument } from './policies'

/** The tag on everything deploy makes; teardown and a re-deploy touch only what carries it. */
export const MANAGED_TAG = { Key: 'managed-by', Value: 'segment-personalize' }
const POLICY_NAME = 'segment-personalize'

// Lambda runtimes AWS supports today (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html); the bundle
// targets Node 20 syntax, so it runs on every one of them.
export const RUNTIME = 'nodejs22.x'
// Segment gives a function 5 s per message; our handler answers within 4.5 s, so the Lambda's own limit is a backstop.
const TIMEOUT_SECONDS = 10
const MEMORY_MB = 256

export interface Clients {
  iam: IAMClient
  lambda: LambdaClient
  sts: STSClient
}

export interface LambdaNames {
  functionName: string
  executionRole: string
  invokeRole: string
}

export function namesFor(name: string): LambdaNames {
  return { functionName: name, executionRole: `${name}-execution`, invokeRole: `${name}-segment-invoke` }
}

export interface DeployOptions {
  /** The function's name; the roles' names derive from it. */
  name: string
  /** The destination settings the function runs with (region, Tracking ID, ARNs, Segment write key). */
  settings: Settings
  /** Your Segment source ID (Segment's default external ID) or the workspace ID Segment sets. */
  externalId: string
  zip: Uint8Array
  clients: Clients
  onProgress?: (line: string) => void
  /** IAM is eventually consistent: a new execution role can take seconds before Lambda may assume it. */
  rolePropagationMs?: number
  /** How long the Lambda waiters wait for the function to be active or updated. */
  waitSeconds?: number
}

export interface Deployed {
  functionArn: string
  executionRoleArn: string
  invokeRoleArn: string
  steps: string[]
}

export class DeployError extends Error {
  override name = 'DeployError'
}

/** The calls deploy makes, with their policies, as --dry-run prints them. */
export function describePlan(options: Omit<DeployOptions, 'zip' | 'clients'>, account = '<account id>'): string {
  const names = namesFor(options.name)
  const functionArn = `arn:aws:lambda:${options.settings.region}:${account}:function:${names.functionName}`
  const json = (document: PolicyDocument) => JSON.stringify(document, null, 2).replace(/\n/g, '\n    ')
  return [
    `Region ${options.settings.region}, account ${account}. Nothing is changed (--dry-run).`,
    '',
    `1. IAM role ${names.executionRole} (the function's execution role), tagged ${MANAGED_TAG.Key}=${MANAGED_TAG.Value}:`,
    `   CreateRole, trust policy:\n    ${json(lambdaTrustPolicy())}`,
    `   PutRolePolicy ${POLICY_NAME}:\n    ${json(executionPolicy(options.settings, names.functionName, account))}`,
    `2. Lambda function ${names.functionName}: CreateFunction (or UpdateFunctionCode and UpdateFunctionConfiguration),`,
    `   ${RUNTIME}, handler index.handler, ${MEMORY_MB} MB, ${TIMEOUT_SECONDS} s, environment:`,
    ...Object.entries(environmentFor(options.settings)).map(([name, value]) => `     ${name}=${redacted(name, value)}`),
    `3. IAM role ${names.invokeRole} (Segment assumes it to invoke the function):`,
    `   CreateRole (or UpdateAssumeRolePolicy), trust policy:\n    ${json(segmentTrustPolicy(options.externalId))}`,
    `   PutRolePolicy ${POLICY_NAME}:\n    ${json(invokePolicy(functionArn))}`
  ].join('\n')
}

function redacted(name: string, value: string): string {
  return /WRITE_KEY/.test(name) ? `${value.slice(0, 4)}…` : value
}

export async function deployLambda(options: DeployOptions): Promise<Deployed> {
  const { clients, settings } = options
  const names = namesFor(options.name)
  const steps: string[] = []
  const step = (line: string) => {
    steps.push(line)
    options.onProgress?.(line)
  }
  const account = (await call('sts:GetCallerIdentity', clients.sts.send(new GetCallerIdentityCommand({})))).Account
  if (!account) throw new DeployError('STS GetCallerIdentity answered without an account.')

  const execution = await ensureRole(clients.iam, names.executionRole, lambdaTrustPolicy(), step)
  await putPolicy(clients.iam, names.executionRole, executionPolicy(settings, names.functionName, account))
  step(`policy ${POLICY_NAME} on ${names.executionRole}: ${policyActions(settings)}`)

  const functionArn = await ensureFunction(options, names, execution.Arn!, step)

  const invoke = await ensureRole(clients.iam, names.invokeRole, segmentTrustPolicy(options.externalId), step)
  await putPolicy(clients.iam, names.invokeRole, invokePolicy(functionArn))
  step(`policy ${POLICY_NAME} on ${names.invokeRole}: lambda:InvokeFunction on ${functionArn}`)
  return { functionArn, executionRoleArn: execution.Arn!, invokeRoleArn: invoke.Arn!, steps }
}

function policyActions(settings: Settings): string {
  const actions = ['PutEvents']
  if (settings.campaignArn || settings.recommenderArn) actions.push('GetRecommendations')
  if (settings.usersDatasetArn) actions.push('PutUsers')
  if (settings.itemsDatasetArn) actions.push('PutItems')
  return `logs, personalize:${actions.join(', personalize:')}`
}

/** The role by name: created, or ours and brought up to date; a role of that name that is not ours stops the deploy. */
async function ensureRole(
  iam: IAMClient,
  roleName: string,
  trust: PolicyDocument,
  step: (line: string) => void
): Promise<Role> {
  const existing = await found(call('iam:GetRole', iam.send(new GetRoleCommand({ RoleName: roleName }))))
  if (!existing?.Role) {
    const created = await call(
      'iam:CreateRole',
      iam.send(
        new CreateRoleCommand({
          RoleName: roleName,
          AssumeRolePolicyDocument: JSON.stringify(trust),
          Description: 'Made by segment-personalize lambda deploy.',
          Tags: [MANAGED_TAG]
        })
      )
    )
    step(`created role ${roleName}`)
    return created.Role!
  }
  if (!isOurs(existing.Role.Tags)) throw notOurs(`IAM role ${roleName}`)
  await call(
    'iam:UpdateAssumeRolePolicy',
    iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(trust) }))
  )
  step(`updated role ${roleName}`)
  return existing.Role
}

async function putPolicy(iam: IAMClient, roleName: string, policy: PolicyDocument): Promise<void> {
  await call(
    'iam:PutRolePolicy',
    iam.send(
      new PutRolePolicyCommand({ RoleName: roleName, PolicyName: POLICY_NAME, PolicyDocument: JSON.stringify(policy) })
    )
  )
}

async function ensureFunction(
  options: DeployOptions,
  names: LambdaNames,
  roleArn: string,
  step: (line: string) => void
): Promise<string> {
  const { lambda } = options.clients
  const FunctionName = names.functionName
  const configuration = {
    FunctionName,
    Role: roleArn,
    Runtime: RUNTIME,
    Handler: 'index.handler',
    Timeout: TIMEOUT_SECONDS,
    MemorySize: MEMORY_MB,
    Environment: { Variables: environmentFor(options.settings) }
  } as const
  const waiter = { client: lambda, maxWaitTime: options.waitSeconds ?? 300 }
  const existing = await found(call('lambda:GetFunction', lambda.send(new GetFunctionCommand({ FunctionName }))))
  if (!existing) {
    const created = await createFunction(options, { ...configuration, Code: { ZipFile: options.zip } })
    await waitUntilFunctionActiveV2(waiter, { FunctionName })
    step(`created function ${FunctionName}`)
    return created
  }
  if (!isOurs(tagsOf(existing))) throw notOurs(`Lambda function ${FunctionName}`)
  await call(
    'lambda:UpdateFunctionCode',
    lambda.send(new UpdateFunctionCodeCommand({ FunctionName, ZipFile: options.zip }))
  )
  await waitUntilFunctionUpdatedV2(waiter, { FunctionName })
  await call('lambda:UpdateFunctionConfiguration', lambda.send(new UpdateFunctionConfigurationCommand(configuration)))
  await waitUntilFunctionUpdatedV2(waiter, { FunctionName })
  step(`updated function ${FunctionName}`)
  return existing.Configuration!.FunctionArn!
}

// A role made a moment ago may not be assumable by Lambda yet: CreateFunction answers InvalidParameterValueException
// ("The role defined for the function cannot be assumed by Lambda") until IAM has propagated it.
async function createFunction(
  options: DeployOptions,
  input: ConstructorParameters<typeof CreateFunctionCommand>[0]
): Promise<string> {
  const until = Date.now() + (options.rolePropagationMs ?? 60_000)
  for (let wait = 1000; ; wait = Math.min(wait * 2, 8000)) {
    try {
      const created = await call(
        'lambda:CreateFunction',
        options.clients.lambda.send(
          new CreateFunctionCommand({ ...input, Tags: { [MANAGED_TAG.Key]: MANAGED_TAG.Value } })
        )
      )
      return created.FunctionArn!
    } catch (error) {
      const propagating = error instanceof Error && /cannot be assumed by Lambda/.test(error.message)
      if (!propagating || Date.now() + wait > until) throw error
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
}

export interface TornDown {
  steps: string[]
}

/** Deletes what deploy made (by name, and only what carries our tag), function first. */
export async function teardownLambda(name: string, clients: Clients): Promise<TornDown> {
  const names = namesFor(name)
  const steps: string[] = []
  const fn = await found(
    call('lambda:GetFunction', clients.lambda.send(new GetFunctionCommand({ FunctionName: names.functionName })))
  )
  if (!fn) steps.push(`function ${names.functionName}: not found`)
  else if (!isOurs(tagsOf(fn))) steps.push(`function ${names.functionName}: not made by segment-personalize, kept`)
  else {
    await call(
      'lambda:DeleteFunction',
      clients.lambda.send(new DeleteFunctionCommand({ FunctionName: names.functionName }))
    )
    steps.push(`deleted function ${names.functionName}`)
  }
  for (const roleName of [names.invokeRole, names.executionRole]) steps.push(await deleteRole(clients.iam, roleName))
  return { steps }
}

async function deleteRole(iam: IAMClient, roleName: string): Promise<string> {
  const existing = await found(call('iam:GetRole', iam.send(new GetRoleCommand({ RoleName: roleName }))))
  if (!existing?.Role) return `role ${roleName}: not found`
  if (!isOurs(existing.Role.Tags)) return `role ${roleName}: not made by segment-personalize, kept`
  const { PolicyNames = [] } = await call(
    'iam:ListRolePolicies',
    iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))
  )
  for (const PolicyName of PolicyNames)
    await call('iam:DeleteRolePolicy', iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName })))
  await call('iam:DeleteRole', iam.send(new DeleteRoleCommand({ RoleName: roleName })))
  return `deleted role ${roleName}`
}

function tagsOf(fn: GetFunctionCommandOutput): Array<{ Key?: string; Value?: string }> {
  return Object.entries(fn.Tags ?? {}).map(([Key, Value]) => ({ Key, Value }))
}

function isOurs(tags: Array<{ Key?: string; Value?: string }> | undefined): boolean {
  return (tags ?? []).some((tag) => tag.Key === MANAGED_TAG.Key && tag.Value === MANAGED_TAG.Value)
}

function notOurs(what: string): DeployError {
  return new DeployError(
    `${what} exists and was not made by segment-personalize (no ${MANAGED_TAG.Key}=${MANAGED_TAG.Value} tag): it is left as it is. Choose another --name.`
  )
}

/** Undefined for a resource that does not exist (NoSuchEntity from IAM, ResourceNotFoundException from Lambda). */
async function found<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise
  } catch (error) {
    if (error instanceof Error && /^(NoSuchEntity|ResourceNotFoundException)/.test(error.name)) return undefined
    throw error
  }
}

/** An AWS call whose refusal for want of permission names the IAM action to grant. */
async function call<T>(action: string, promise: Promise<T>): Promise<T> {
  try {
    return await promise
  } catch (error) {
    if (error instanceof Error && /^AccessDenied/.test(error.name))
      throw new DeployError(
        `Your AWS credentials may not call ${action}: grant it to the user or role you deploy with (AWS said: ${error.message}).`
      )
    throw error
  }
}
