import { readFileSync } from 'node:fs'
import { IAMClient } from '@aws-sdk/client-iam'
import { LambdaClient } from '@aws-sdk/client-lambda'
import { STSClient } from '@aws-sdk/client-sts'
import type { Settings } from '../../destination/generated-types'
import { buildLambda, DEFAULT_OUT } from '../../lambda/build'
import { TRACK_EVENTS } from '../../lambda/callTypes'
import { DeployError, deployLambda, describePlan, namesFor, teardownLambda } from '../../lambda/deploy'
import { lambdaUsage } from './options'

type Values = Record<string, string | boolean | string[] | undefined>

const DEFAULT_NAME = 'segment-personalize'
const text = (value: Values[string]) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined)

// Flag → destination setting, over the --destination file's.
const SETTING_FLAGS: Record<string, keyof Settings> = {
  'tracking-id': 'trackingId',
  'campaign-arn': 'campaignArn',
  'recommender-arn': 'recommenderArn',
  'users-dataset-arn': 'usersDatasetArn',
  'items-dataset-arn': 'itemsDatasetArn',
  'segment-write-key': 'segmentWriteKey',
  'segment-region': 'segmentRegion'
}

class UsageError extends Error {}

/** The settings the function runs with: the --destination file, the flags over it; only what the function reads. */
function settingsOf(values: Values): Settings {
  const file = text(values.destination)
  let base: Partial<Settings> = {}
  if (file) {
    try {
      base = JSON.parse(readFileSync(file, 'utf8')) as Partial<Settings>
    } catch (error) {
      throw new UsageError(`Cannot read --destination ${file}: ${(error as Error).message}`)
    }
  }
  const settings: Record<string, unknown> = { ...base }
  for (const [flag, setting] of Object.entries(SETTING_FLAGS)) {
    const value = text(values[flag])
    if (value) settings[setting] = value
  }
  settings.region = text(values.region) ?? base.region ?? 'us-west-2'
  // The function signs with its execution role and talks to AWS's own endpoints: none of these travel to it.
  for (const local of [
    'accessKeyId',
    'secretAccessKey',
    'iamRoleArn',
    'iamExternalId',
    'personalizeEventsEndpoint',
    'personalizeRuntimeEndpoint',
    'stsEndpoint',
    'segmentEndpoint'
  ])
    delete settings[local]
  if (!settings.trackingId)
    throw new UsageError('Give the Tracking ID: --tracking-id, or a --destination file that has it.')
  return settings as unknown as Settings
}

function clients(region: string) {
  return { iam: new IAMClient({ region }), lambda: new LambdaClient({ region }), sts: new STSClient({ region }) }
}

async function deploy(values: Values): Promise<number> {
  const externalId = text(values['external-id'])
  if (!externalId)
    throw new UsageError(
      "Give --external-id: your Segment source ID (Segment's default external ID for its Lambda destination) or the ID Segment set."
    )
  const settings = settingsOf(values)
  const name = text(values.name) ?? DEFAULT_NAME
  if (values['dry-run']) {
    console.log(describePlan({ name, settings, externalId }))
    return 0
  }
  const built = await buildLambda(text(values.out) ?? DEFAULT_OUT)
  console.log(`built ${built.file}: ${(built.zip.length / 1024).toFixed(1)} KB`)
  const deployed = await deployLambda({
    name,
    settings,
    externalId,
    zip: built.zip,
    clients: clients(settings.region),
    onProgress: (line) => console.log(line)
  })
  console.log(`
Paste into the Amazon Personalize destination's settings in Segment:
  Lambda (track calls):     ${deployed.functionArn}
  Lambda (identify calls):  ${deployed.functionArn}
  Role Address:             ${deployed.invokeRoleArn}
  External ID:              ${externalId}
  Region:                   ${settings.region}
and, under Events, the track events to send: ${TRACK_EVENTS.join(', ')}.`)
  return 0
}

export async function runLambda(values: Values, positionals: string[]): Promise<number> {
  const [action, ...extra] = positionals
  if (extra.length > 0 || !['build', 'deploy', 'teardown'].includes(action ?? '')) {
    console.error(`Say what to do: build, deploy or teardown.\n\n${lambdaUsage}`)
    return 2
  }
  try {
    if (action === 'build') {
      const built = await buildLambda(text(values.out) ?? DEFAULT_OUT)
      console.log(`built ${built.file}: ${(built.zip.length / 1024).toFixed(1)} KB, handler index.handler`)
      return 0
    }
    if (action === 'deploy') return await deploy(values)
    const name = text(values.name) ?? DEFAULT_NAME
    const { steps } = await teardownLambda(name, clients(text(values.region) ?? 'us-west-2'))
    for (const step of steps) console.log(step)
    console.log(`(${namesFor(name).functionName} and its roles are gone from what segment-personalize made.)`)
    return 0
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message)
      return 2
    }
    if (error instanceof DeployError) {
      console.error(error.message)
      return 1
    }
    throw error
  }
}
