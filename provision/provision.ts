// `segment-personalize provision`: everything the workshop clicked through in the console, by name, found and reused
// when it exists: dataset group, schemas, datasets, import jobs, a solution (aws-user-personalization), a solution
// version, a campaign and an event tracker. Personalize's SDK has no waiters, so each step polls its Describe call.
// https://docs.aws.amazon.com/personalize/latest/dg/getting-started-console.html
// With `domain: 'ECOMMERCE'`, what a team starting today builds instead: a Domain dataset group and its recommenders
// (https://docs.aws.amazon.com/personalize/latest/dg/ECOMMERCE-use-cases.html), with the Segment event names of the
// interactions mapped to the domain's event types.
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import {
  CreateCampaignCommand,
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateDatasetImportJobCommand,
  CreateEventTrackerCommand,
  CreateRecommenderCommand,
  CreateSchemaCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  DescribeCampaignCommand,
  DescribeDatasetCommand,
  DescribeDatasetGroupCommand,
  DescribeDatasetImportJobCommand,
  DescribeEventTrackerCommand,
  DescribeRecommenderCommand,
  DescribeSchemaCommand,
  DescribeSolutionVersionCommand,
  paginateListCampaigns,
  paginateListDatasetGroups,
  paginateListDatasetImportJobs,
  paginateListDatasets,
  paginateListEventTrackers,
  paginateListRecommenders,
  paginateListSchemas,
  paginateListSolutions,
  paginateListSolutionVersions,
  type PersonalizeClient
} from '@aws-sdk/client-personalize'
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { interactionsSchema } from '../backfill/schemas'
import { csvFields, csvRow } from '../common/csv'

export const RECIPE = 'arn:aws:personalize:::recipe/aws-user-personalization'

export type Domain = 'ECOMMERCE'

// The ECOMMERCE use cases provision creates, by the suffix of their names; the first one is what the destination's
// Sync Recommendations asks. https://docs.aws.amazon.com/personalize/latest/dg/ECOMMERCE-use-cases.html
export const ECOMMERCE_RECOMMENDERS: Array<{ suffix: string; recipe: string; title: string }> = [
  { suffix: 'recommended-for-you', recipe: 'aws-ecomm-recommended-for-you', title: 'Recommended for you' },
  {
    suffix: 'also-viewed',
    recipe: 'aws-ecomm-customers-who-viewed-x-also-viewed',
    title: 'Customers who viewed X also viewed'
  },
  { suffix: 'bought-together', recipe: 'aws-ecomm-frequently-bought-together', title: 'Frequently bought together' },
  { suffix: 'best-sellers', recipe: 'aws-ecomm-popular-items-by-purchases', title: 'Best sellers' },
  { suffix: 'most-viewed', recipe: 'aws-ecomm-popular-items-by-views', title: 'Most viewed' }
]

// ECOMMERCE's use cases learn from View and Purchase events ("At minimum 1000 View events", ECOMMERCE-use-cases.html);
// the Segment E-commerce spec's names map to them, other event types are kept as they are (a domain allows more).
export const ECOMMERCE_EVENT_TYPES: Record<string, string> = {
  'Product Viewed': 'View',
  'Product Clicked': 'View',
  'Order Completed': 'Purchase'
}

/** Every entry of a List operation, page by page (the SDK's paginators). */
async function all<P, T>(pages: AsyncIterable<P>, entries: (page: P) => T[] | undefined): Promise<T[]> {
  const found: T[] = []
  for await (const page of pages) found.push(...(entries(page) ?? []))
  return found
}

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
  /** A Domain dataset group with the domain's recommenders, instead of a custom solution and campaign. */
  domain?: Domain
  /** How often to poll, and for how long at most (training takes minutes to hours on AWS). */
  pollMs?: number
  timeoutMs?: number
  onProgress?: (line: string) => void
}

export interface Provisioned {
  datasetGroupArn: string
  datasetArns: Partial<Record<DatasetType, string>>
  /** The custom solution's version and campaign (without a domain). */
  solutionVersionArn?: string
  campaignArn?: string
  /** The Domain dataset group's "Recommended for you" recommender, and every ACTIVE recommender by use case. */
  recommenderArn?: string
  recommenderArns?: Record<string, string>
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
      throw new ProvisionError(
        `${what} is ${status}: ${(failureReason ?? 'Personalize gave no reason').replace(/\.$/, '')}. Fix that, then run provision again: ` +
          `what exists is reused (teardown --name ${options.name} starts over).`
      )
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
  const groups = await all(paginateListDatasetGroups({ client }, {}), (page) => page.datasetGroups)
  let datasetGroupArn = groups.find((group) => group.name === name)?.datasetGroupArn
  if (datasetGroupArn) {
    const { datasetGroup } = await client.send(new DescribeDatasetGroupCommand({ datasetGroupArn }))
    if (datasetGroup?.status && FAILED.test(datasetGroup.status))
      throw new ProvisionError(
        `Dataset group ${name} exists and is ${datasetGroup.status} (${datasetGroup.failureReason ?? 'no reason given'}): run teardown --name ${name}, or choose another --name.`
      )
    if ((datasetGroup?.domain ?? undefined) !== options.domain)
      throw new ProvisionError(
        `Dataset group ${name} exists ${datasetGroup?.domain ? `as a ${datasetGroup.domain} Domain dataset group` : 'without a domain'}: run teardown --name ${name}, or choose another --name.`
      )
    step(`reused dataset group ${name}`)
  } else {
    datasetGroupArn = (await client.send(new CreateDatasetGroupCommand({ name, domain: options.domain })))
      .datasetGroupArn!
    step(`created ${options.domain ? `${options.domain} Domain ` : ''}dataset group ${name}`)
  }
  const groupArn = datasetGroupArn
  await waitActive(options, {
    what: `dataset group ${name}`,
    describe: async () =>
      (await client.send(new DescribeDatasetGroupCommand({ datasetGroupArn: groupArn }))).datasetGroup ?? {}
  })

  // Schemas, datasets and imports, one dataset type at a time.
  const datasetArns: Partial<Record<DatasetType, string>> = {}
  const existingDatasets = await all(
    paginateListDatasets({ client }, { datasetGroupArn: groupArn }),
    (page) => page.datasets
  )
  const schemas = await all(paginateListSchemas({ client }, {}), (page) => page.schemas)
  for (const type of ['Interactions', 'Users', 'Items'] as const) {
    const given = options.csv[type]
    if (!given) continue
    const csv =
      options.domain && type === 'Interactions' ? await domainInteractions(path.resolve(given)) : path.resolve(given)
    const schemaName = `${name}-${type.toLowerCase()}`
    const wanted = await schemaFor(type, path.resolve(given))
    let schemaArn = schemas.find((schema) => schema.name === schemaName)?.schemaArn
    if (schemaArn) {
      const { schema } = await client.send(new DescribeSchemaCommand({ schemaArn }))
      if (
        (schema?.schema && JSON.stringify(JSON.parse(schema.schema)) !== wanted) ||
        (schema?.domain ?? undefined) !== options.domain
      )
        throw new ProvisionError(
          `Schema ${schemaName} exists with other columns than ${path.basename(csv)}: run teardown --name ${name}, or choose another --name.`
        )
      step(`reused schema ${schemaName}`)
    } else {
      schemaArn = (
        await client.send(new CreateSchemaCommand({ name: schemaName, schema: wanted, domain: options.domain }))
      ).schemaArn!
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

  if (options.domain) {
    const recommenderArns = await recommenders(options, groupArn, step)
    return {
      datasetGroupArn: groupArn,
      datasetArns,
      recommenderArn: recommenderArns[ECOMMERCE_RECOMMENDERS[0]!.suffix],
      recommenderArns,
      trackingId: await eventTracker(options, groupArn, step),
      steps
    }
  }
  const { solutionVersionArn, campaignArn } = await solutionAndCampaign(options, groupArn, step)
  const trackingId = await eventTracker(options, groupArn, step)
  return { datasetGroupArn: groupArn, datasetArns, solutionVersionArn, campaignArn, trackingId, steps }
}

/** The interactions CSV with ECOMMERCE's event types, written beside it (interactions-ecommerce.csv). */
async function domainInteractions(csv: string): Promise<string> {
  const [header = '', ...rows] = (await readFile(csv, 'utf8')).split('\n')
  const column = header.replace(/"/g, '').trim().split(',').indexOf('EVENT_TYPE')
  if (column < 0) throw new ProvisionError(`${csv} has no EVENT_TYPE column: an ECOMMERCE dataset group needs one.`)
  const mapped = rows.map((row) => {
    const fields = csvFields(row)
    const type = fields[column]
    if (type === undefined || !(type in ECOMMERCE_EVENT_TYPES)) return row
    fields[column] = ECOMMERCE_EVENT_TYPES[type]!
    return csvRow(fields)
  })
  const out = path.join(path.dirname(csv), `${path.basename(csv, '.csv')}-ecommerce.csv`)
  await writeFile(out, [header, ...mapped].join('\n'))
  return out
}

/** The Domain dataset group's recommenders, by use case; one whose data is too thin is reported and left out. */
async function recommenders(
  options: ProvisionOptions,
  groupArn: string,
  step: (line: string) => void
): Promise<Record<string, string>> {
  const client = options.personalize
  const existing = await all(
    paginateListRecommenders({ client }, { datasetGroupArn: groupArn }),
    (page) => page.recommenders
  )
  const active: Record<string, string> = {}
  for (const useCase of ECOMMERCE_RECOMMENDERS) {
    const recommenderName = `${options.name}-${useCase.suffix}`
    let recommenderArn = existing.find((r) => r.name === recommenderName)?.recommenderArn
    if (recommenderArn) step(`reused recommender ${recommenderName}`)
    else {
      recommenderArn = (
        await client.send(
          new CreateRecommenderCommand({
            name: recommenderName,
            datasetGroupArn: groupArn,
            recipeArn: `arn:aws:personalize:::recipe/${useCase.recipe}`,
            recommenderConfig: { enableMetadataWithRecommendations: options.csv.Items !== undefined }
          })
        )
      ).recommenderArn!
      step(`created recommender ${recommenderName} (${useCase.title})`)
    }
    const arn = recommenderArn
    try {
      await waitActive(options, {
        what: `recommender ${recommenderName}`,
        describe: async () =>
          (await client.send(new DescribeRecommenderCommand({ recommenderArn: arn }))).recommender ?? {}
      })
      active[useCase.suffix] = arn
    } catch (error) {
      // The first use case is the one Sync Recommendations asks: without it there is nothing to serve.
      if (!(error instanceof ProvisionError) || useCase === ECOMMERCE_RECOMMENDERS[0]) throw error
      step(`skipped ${useCase.title}: ${error.message}`)
    }
  }
  return active
}

/** The custom solution (aws-user-personalization), its newest trained version and a campaign on it. */
async function solutionAndCampaign(
  options: ProvisionOptions,
  groupArn: string,
  step: (line: string) => void
): Promise<{ solutionVersionArn: string; campaignArn: string }> {
  const { personalize: client, name } = options
  const solutionName = `${name}-solution`
  const solutions = await all(
    paginateListSolutions({ client }, { datasetGroupArn: groupArn }),
    (page) => page.solutions
  )
  let solutionArn = solutions.find((solution) => solution.name === solutionName)?.solutionArn
  if (solutionArn) step(`reused solution ${solutionName}`)
  else {
    solutionArn = (
      await client.send(new CreateSolutionCommand({ name: solutionName, datasetGroupArn: groupArn, recipeArn: RECIPE }))
    ).solutionArn!
    step(`created solution ${solutionName} (aws-user-personalization)`)
  }
  // The newest trained version, if any.
  const versions = await all(paginateListSolutionVersions({ client }, { solutionArn }), (page) => page.solutionVersions)
  const latest = versions
    .filter((version) => version.status === ACTIVE)
    .sort((a, b) => (b.creationDateTime?.getTime() ?? 0) - (a.creationDateTime?.getTime() ?? 0))[0]
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
  const campaigns = await all(paginateListCampaigns({ client }, { solutionArn }), (page) => page.campaigns)
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

  return { solutionVersionArn: versionArn, campaignArn: campaign }
}

/** The dataset group's event tracker (one per group); its tracking ID. */
async function eventTracker(
  options: ProvisionOptions,
  groupArn: string,
  step: (line: string) => void
): Promise<string> {
  const { personalize: client, name } = options
  // Event tracker.
  const trackerName = `${name}-tracker`
  const trackers = await all(
    paginateListEventTrackers({ client }, { datasetGroupArn: groupArn }),
    (page) => page.eventTrackers
  )
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
  return eventTracker!.trackingId!
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
  const jobs = await all(paginateListDatasetImportJobs({ client }, { datasetArn }), (page) => page.datasetImportJobs)
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
