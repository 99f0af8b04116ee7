// `segment-personalize provision`: everything the workshop clicked through in the console, by name, found and reused
// when it exists: dataset group, schemas, datasets, import jobs, a solution (aws-user-personalization), a solution
// version, a campaign and an event tracker. Personalize's SDK has no waiters, so each step polls its Describe call.
// https://docs.aws.amazon.com/personalize/latest/dg/getting-started-console.html
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import {
  CreateCampaignCommand,
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateDatasetImportJobCommand,
  CreateEventTrackerCommand,
  CreateSchemaCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  DescribeCampaignCommand,
  DescribeDatasetCommand,
  DescribeDatasetGroupCommand,
  DescribeDatasetImportJobCommand,
  DescribeEventTrackerCommand,
  DescribeSchemaCommand,
  DescribeSolutionVersionCommand,
  ListCampaignsCommand,
  ListDatasetGroupsCommand,
  ListDatasetImportJobsCommand,
  ListDatasetsCommand,
  ListEventTrackersCommand,
  ListSchemasCommand,
  ListSolutionsCommand,
  ListSolutionVersionsCommand,
  type PersonalizeClient
} from '@aws-sdk/client-personalize'
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { interactionsSchema } from '../backfill/schemas'

export const RECIPE = 'arn:aws:personalize:::recipe/aws-user-personalization'

export type DatasetType = 'Interactions' | 'Users' | 'Items'

export interface ProvisionOptions {
  name: string
  /** CSV files by dataset type; Interactions is required. */
  csv: Partial<Record<DatasetType, string>> & { Interactions: string }
  personalize: PersonalizeClient
  /** For AWS: upload the CSVs here and let Personalize read them with `roleArn`. Without it, the paths are passed as is
   *  (`file://…`: the local stack reads them directly). */
  s3?: { client: S3Client; bucket: string; prefix?: string }
  roleArn?: string
  /** How often to poll, and for how long at most (training takes minutes to hours on AWS). */
  pollMs?: number
  timeoutMs?: number
  onProgress?: (line: string) => void
}

export interface Provisioned {
  datasetGroupArn: string
  datasetArns: Partial<Record<DatasetType, string>>
  solutionVersionArn: string
  campaignArn: string
  trackingId: string
  /** What each step did: created, reused. */
  steps: string[]
}

export class ProvisionError extends Error {
  override name = 'ProvisionError'
}

const FAILED = /FAILED/
const ACTIVE = 'ACTIVE'

interface Waiting {
  what: string
  describe: () => Promise<{ status?: string; failureReason?: string }>
}

/** Polls until ACTIVE; a FAILED status throws with Personalize's failureReason. */
async function waitActive(options: ProvisionOptions, { what, describe }: Waiting): Promise<void> {
  const started = Date.now()
  const poll = options.pollMs ?? 15_000
  let last = ''
  for (;;) {
    const { status = 'UNKNOWN', failureReason } = await describe()
    if (status === ACTIVE) return
    if (FAILED.test(status))
      throw new ProvisionError(`${what} is ${status}: ${failureReason ?? 'Personalize gave no reason'}`)
    if (status !== last) options.onProgress?.(`${what}: ${status}`)
    last = status
    if (Date.now() - started > (options.timeoutMs ?? 6 * 3_600_000))
      throw new ProvisionError(
        `${what} is still ${status} after ${Math.round((Date.now() - started) / 60_000)} minutes`
      )
    await new Promise((resolve) => setTimeout(resolve, poll))
  }
}

/** The Avro schema for a CSV: the backfill's `<name>-schema.json` beside it, or, for interactions, its header's. */
async function schemaFor(type: DatasetType, csv: string): Promise<string> {
  const beside = path.join(path.dirname(csv), `${type.toLowerCase()}-schema.json`)
  const schema = await readFile(beside, 'utf8').catch(() => undefined)
  if (schema) return JSON.stringify(JSON.parse(schema))
  if (type !== 'Interactions')
    throw new ProvisionError(`No schema for ${csv}: put the backfill's ${path.basename(beside)} beside it.`)
  const header = (
    await readFile(csv, 'utf8').catch(() => {
      throw new ProvisionError(`Cannot read ${csv}`)
    })
  )
    .split('\n', 1)[0]!
    .trim()
    .replace(/"/g, '')
  if (!/^USER_ID,ITEM_ID,(EVENT_TYPE,)?TIMESTAMP(,EVENT_VALUE)?$/.test(header))
    throw new ProvisionError(
      `${csv} does not start with USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP[,EVENT_VALUE]: "${header}"`
    )
  return JSON.stringify(JSON.parse(interactionsSchema(header.endsWith('EVENT_VALUE'))))
}

export async function provision(options: ProvisionOptions): Promise<Provisioned> {
  const { personalize: client, name } = options
  const steps: string[] = []
  const step = (line: string) => {
    steps.push(line)
    options.onProgress?.(line)
  }

  // Dataset group.
  const groups = (await client.send(new ListDatasetGroupsCommand({ maxResults: 100 }))).datasetGroups ?? []
  let datasetGroupArn = groups.find((group) => group.name === name)?.datasetGroupArn
  if (datasetGroupArn) {
    const { datasetGroup } = await client.send(new DescribeDatasetGroupCommand({ datasetGroupArn }))
    if (datasetGroup?.status && FAILED.test(datasetGroup.status))
      throw new ProvisionError(
        `Dataset group ${name} exists and is ${datasetGroup.status} (${datasetGroup.failureReason ?? 'no reason given'}): run teardown --name ${name}, or choose another --name.`
      )
    step(`reused dataset group ${name}`)
  } else {
    datasetGroupArn = (await client.send(new CreateDatasetGroupCommand({ name }))).datasetGroupArn!
    step(`created dataset group ${name}`)
  }
  const groupArn = datasetGroupArn
  await waitActive(options, {
    what: `dataset group ${name}`,
    describe: async () =>
      (await client.send(new DescribeDatasetGroupCommand({ datasetGroupArn: groupArn }))).datasetGroup ?? {}
  })

  // Schemas, datasets and imports, one dataset type at a time.
  const datasetArns: Partial<Record<DatasetType, string>> = {}
  const existingDatasets =
    (await client.send(new ListDatasetsCommand({ datasetGroupArn: groupArn, maxResults: 100 }))).datasets ?? []
  const schemas = (await client.send(new ListSchemasCommand({ maxResults: 100 }))).schemas ?? []
  for (const type of ['Interactions', 'Users', 'Items'] as const) {
    const csv = options.csv[type]
    if (!csv) continue
    const schemaName = `${name}-${type.toLowerCase()}`
    const wanted = await schemaFor(type, path.resolve(csv))
    let schemaArn = schemas.find((schema) => schema.name === schemaName)?.schemaArn
    if (schemaArn) {
      const { schema } = await client.send(new DescribeSchemaCommand({ schemaArn }))
      if (schema?.schema && JSON.stringify(JSON.parse(schema.schema)) !== wanted)
        throw new ProvisionError(
          `Schema ${schemaName} exists with other columns than ${path.basename(csv)}: run teardown --name ${name}, or choose another --name.`
        )
      step(`reused schema ${schemaName}`)
    } else {
      schemaArn = (await client.send(new CreateSchemaCommand({ name: schemaName, schema: wanted }))).schemaArn!
      step(`created schema ${schemaName}`)
    }
    // A dataset group has one dataset of each type, whose ARN ends in its type: …:dataset/<group>/INTERACTIONS.
    let datasetArn = existingDatasets.find((dataset) =>
      dataset.datasetArn?.endsWith(`/${type.toUpperCase()}`)
    )?.datasetArn
    if (datasetArn) step(`reused ${type} dataset`)
    else {
      datasetArn = (
        await client.send(
          new CreateDatasetCommand({ name: schemaName, schemaArn, datasetGroupArn: groupArn, datasetType: type })
        )
      ).datasetArn!
      step(`created ${type} dataset`)
    }
    const arn = datasetArn
    datasetArns[type] = arn
    await waitActive(options, {
      what: `${type} dataset`,
      describe: async () => (await client.send(new DescribeDatasetCommand({ datasetArn: arn }))).dataset ?? {}
    })
    await importCsv(options, type, arn, path.resolve(csv), step)
  }

  // Solution, version, campaign.
  const solutionName = `${name}-solution`
  const solutions =
    (await client.send(new ListSolutionsCommand({ datasetGroupArn: groupArn, maxResults: 100 }))).solutions ?? []
  let solutionArn = solutions.find((solution) => solution.name === solutionName)?.solutionArn
  if (solutionArn) step(`reused solution ${solutionName}`)
  else {
    solutionArn = (
      await client.send(new CreateSolutionCommand({ name: solutionName, datasetGroupArn: groupArn, recipeArn: RECIPE }))
    ).solutionArn!
    step(`created solution ${solutionName} (aws-user-personalization)`)
  }
  // The newest trained version, if any (ListSolutionVersions lists newest first).
  const versions =
    (await client.send(new ListSolutionVersionsCommand({ solutionArn, maxResults: 100 }))).solutionVersions ?? []
  const latest = versions.find((version) => version.status === ACTIVE)
  let solutionVersionArn = latest?.solutionVersionArn
  if (solutionVersionArn) step('reused the trained solution version')
  else {
    solutionVersionArn = (await client.send(new CreateSolutionVersionCommand({ solutionArn }))).solutionVersionArn!
    step('training a solution version')
  }
  const versionArn = solutionVersionArn
  await waitActive(options, {
    what: 'solution version',
    describe: async () =>
      (await client.send(new DescribeSolutionVersionCommand({ solutionVersionArn: versionArn }))).solutionVersion ?? {}
  })
  const campaignName = `${name}-campaign`
  const campaigns = (await client.send(new ListCampaignsCommand({ solutionArn, maxResults: 100 }))).campaigns ?? []
  let campaignArn = campaigns.find((campaign) => campaign.name === campaignName)?.campaignArn
  if (campaignArn) step(`reused campaign ${campaignName}`)
  else {
    campaignArn = (await client.send(new CreateCampaignCommand({ name: campaignName, solutionVersionArn: versionArn })))
      .campaignArn!
    step(`created campaign ${campaignName}`)
  }
  const campaign = campaignArn
  await waitActive(options, {
    what: `campaign ${campaignName}`,
    describe: async () => (await client.send(new DescribeCampaignCommand({ campaignArn: campaign }))).campaign ?? {}
  })

  // Event tracker.
  const trackerName = `${name}-tracker`
  const trackers =
    (await client.send(new ListEventTrackersCommand({ datasetGroupArn: groupArn, maxResults: 100 }))).eventTrackers ??
    []
  let eventTrackerArn = trackers.find((tracker) => tracker.name === trackerName)?.eventTrackerArn
  if (eventTrackerArn) step(`reused event tracker ${trackerName}`)
  else {
    eventTrackerArn = (
      await client.send(new CreateEventTrackerCommand({ name: trackerName, datasetGroupArn: groupArn }))
    ).eventTrackerArn!
    step(`created event tracker ${trackerName}`)
  }
  const trackerArn = eventTrackerArn
  await waitActive(options, {
    what: `event tracker ${trackerName}`,
    describe: async () =>
      (await client.send(new DescribeEventTrackerCommand({ eventTrackerArn: trackerArn }))).eventTracker ?? {}
  })
  const { eventTracker } = await client.send(new DescribeEventTrackerCommand({ eventTrackerArn: trackerArn }))
  return {
    datasetGroupArn: groupArn,
    datasetArns,
    solutionVersionArn: versionArn,
    campaignArn: campaign,
    trackingId: eventTracker!.trackingId!,
    steps
  }
}

/** Imports a CSV into its dataset, once: an ACTIVE import job of the same name is reused. */
async function importCsv(
  options: ProvisionOptions,
  type: DatasetType,
  datasetArn: string,
  csv: string,
  step: (line: string) => void
): Promise<void> {
  const client = options.personalize
  const jobName = `${options.name}-${type.toLowerCase()}-import`
  const jobs =
    (await client.send(new ListDatasetImportJobsCommand({ datasetArn, maxResults: 100 }))).datasetImportJobs ?? []
  const existing = jobs.find((job) => job.jobName === jobName && job.status === ACTIVE)
  if (existing) {
    step(`reused ${type} import ${jobName}`)
    return
  }
  let dataLocation = `file://${csv}`
  if (options.s3) {
    const key = `${options.s3.prefix ?? options.name}/${path.basename(csv)}`
    await options.s3.client.send(
      new PutObjectCommand({ Bucket: options.s3.bucket, Key: key, Body: await readFile(csv) })
    )
    dataLocation = `s3://${options.s3.bucket}/${key}`
    step(`uploaded ${path.basename(csv)} to ${dataLocation}`)
  }
  const failed = jobs.find((job) => job.jobName === jobName)
  const name = failed ? `${jobName}-${Date.now()}` : jobName
  const { datasetImportJobArn } = await client.send(
    new CreateDatasetImportJobCommand({
      jobName: name,
      datasetArn,
      dataSource: { dataLocation },
      roleArn: options.roleArn ?? 'arn:aws:iam::000000000000:role/local'
    })
  )
  step(`importing ${path.basename(csv)} into the ${type} dataset`)
  await waitActive(options, {
    what: `${type} import`,
    describe: async () =>
      (await client.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn }))).datasetImportJob ?? {}
  })
}
