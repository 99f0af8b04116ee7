// Shared by the emulator's tests (and the Functions build's): the local credentials, the workshop's Interactions schema
// (exercise2/event_schema.avsc), a CSV with two tastes, the workshop's provisioning through the real SDK, and reading
// a dataset back with a dataset export job.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  CreateCampaignCommand,
  CreateDatasetCommand,
  CreateDatasetExportJobCommand,
  CreateDatasetGroupCommand,
  CreateDatasetImportJobCommand,
  CreateEventTrackerCommand,
  CreateSchemaCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  DescribeDatasetExportJobCommand,
  DescribeDatasetImportJobCommand,
  DescribeSolutionVersionCommand,
  type IngestionMode,
  type PersonalizeClient
} from '@aws-sdk/client-personalize'
import { csvFields } from '../../../common/csv'
export const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' }

export const INTERACTIONS_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Interactions',
  namespace: 'com.amazonaws.personalize.schema',
  fields: [
    { name: 'USER_ID', type: 'string' },
    { name: 'ITEM_ID', type: 'string' },
    { name: 'EVENT_TYPE', type: 'string' },
    { name: 'TIMESTAMP', type: 'long' }
  ],
  version: '1.0'
})

// Two tastes: users 0–59 browse shoes (shoe-0…9), users 60–119 books (book-0…9), each 15 interactions, plus a few
// cross-overs. Deterministic.
export function workshopCsv(users = 120, perUser = 15): string {
  const rows = ['USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP']
  for (let u = 0; u < users; u++) {
    const taste = u < users / 2 ? 'shoe' : 'book'
    for (let k = 0; k < perUser; k++) {
      const item =
        k % 7 === 6 ? `${taste === 'shoe' ? 'book' : 'shoe'}-${(u + k) % 10}` : `${taste}-${(u * 3 + k) % 10}`
      rows.push(`user-${u},${item},Product Viewed,${1_700_000_000 + u * 1000 + k * 60}`)
    }
  }
  return rows.join('\n')
}

/** The workshop's provisioning with the real SDK: dataset group, schema, dataset, CSV import, solution, version. */
export async function provisionWorkshop(
  control: PersonalizeClient,
  dir: string,
  csv: string,
  recipe = 'aws-user-personalization',
  location?: string
) {
  const { datasetGroupArn } = await control.send(new CreateDatasetGroupCommand({ name: 'segment-workshop' }))
  const { schemaArn } = await control.send(
    new CreateSchemaCommand({ name: 'workshop-interactions', schema: INTERACTIONS_SCHEMA })
  )
  const { datasetArn } = await control.send(
    new CreateDatasetCommand({ name: 'interactions', schemaArn, datasetGroupArn, datasetType: 'Interactions' })
  )
  const file = path.join(dir, 'interactions.csv')
  writeFileSync(file, csv)
  const { datasetImportJobArn } = await control.send(
    new CreateDatasetImportJobCommand({
      jobName: 'import',
      datasetArn,
      dataSource: { dataLocation: location ?? `file://${file}` },
      roleArn: 'arn:aws:iam::123456789012:role/r'
    })
  )
  const importJob = await control.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn }))
  const { solutionArn } = await control.send(
    new CreateSolutionCommand({
      name: 'workshop-solution',
      datasetGroupArn,
      recipeArn: `arn:aws:personalize:::recipe/${recipe}`
    })
  )
  const { solutionVersionArn } = await control.send(new CreateSolutionVersionCommand({ solutionArn }))
  const { solutionVersion } = await control.send(new DescribeSolutionVersionCommand({ solutionVersionArn }))
  return {
    datasetGroupArn: datasetGroupArn!,
    importJob: importJob.datasetImportJob!,
    solutionVersionArn: solutionVersionArn!,
    solutionVersion: solutionVersion!
  }
}

/** A role Personalize accepts for an export (the pattern wants a 12-digit account). */
/** The workshop's provisioning, then a campaign on its solution version and an event tracker: what delivery needs. */
export async function provisionWorkshopCampaign(control: PersonalizeClient, dir: string) {
  const { datasetGroupArn, solutionVersionArn } = await provisionWorkshop(control, dir, workshopCsv())
  const { campaignArn } = await control.send(new CreateCampaignCommand({ name: 'campaign', solutionVersionArn }))
  const { trackingId } = await control.send(new CreateEventTrackerCommand({ name: 'tracker', datasetGroupArn }))
  return { datasetGroupArn, solutionVersionArn, campaignArn: campaignArn!, trackingId: trackingId! }
}

export const EXPORT_ROLE_ARN = 'arn:aws:iam::123456789012:role/PersonalizeExport'

/** The rows of an export's CSV part files (<folder>/<jobName>/part-*.csv), as objects keyed by the header. */
export function readExport(folder: string, jobName: string): Array<Record<string, string>> {
  const dir = path.join(folder, jobName)
  return readdirSync(dir)
    .filter((file) => /^part-\d+\.csv$/.test(file))
    .sort()
    .flatMap((file) => {
      const [header, ...lines] = readFileSync(path.join(dir, file), 'utf8').split('\n').filter(Boolean)
      const columns = csvFields(header!)
      return lines.map((line) => {
        const fields = csvFields(line)
        return Object.fromEntries(columns.map((column, i) => [column, fields[i] ?? '']))
      })
    })
}

/**
 * What Personalize holds in a dataset, read as a user of the AWS SDK reads it: a dataset export job into `folder`,
 * Describe polled until it is ACTIVE (or failed, which throws with the reason), then its CSV files.
 */
export async function exportDataset(
  control: PersonalizeClient,
  datasetArn: string,
  folder: string,
  ingestionMode: IngestionMode = 'PUT',
  deadlineMs = 20_000
): Promise<Array<Record<string, string>>> {
  const jobName = `export-${Date.now()}-${Math.floor(Math.random() * 1e6)}`
  const { datasetExportJobArn } = await control.send(
    new CreateDatasetExportJobCommand({
      jobName,
      datasetArn,
      ingestionMode,
      roleArn: EXPORT_ROLE_ARN,
      jobOutput: { s3DataDestination: { path: `file://${folder}/` } }
    })
  )
  const deadline = Date.now() + deadlineMs
  for (;;) {
    const { datasetExportJob } = await control.send(new DescribeDatasetExportJobCommand({ datasetExportJobArn }))
    if (datasetExportJob?.status === 'ACTIVE') return readExport(folder, jobName)
    if (datasetExportJob?.status === 'CREATE FAILED' || Date.now() > deadline)
      throw new ExportFailed(`${jobName} is ${datasetExportJob?.status}: ${datasetExportJob?.failureReason ?? ''}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export class ExportFailed extends Error {
  override name = 'ExportFailed'
}
