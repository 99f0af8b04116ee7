// Dataset export jobs through the real AWS SDK: what was imported (BULK), recorded with PutEvents (PUT) or both (ALL)
// comes back as CSV files with the schema's header; bad requests get Personalize's errors; a job is journaled.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  CreateDatasetCommand,
  CreateDatasetExportJobCommand,
  CreateDatasetGroupCommand,
  CreateEventTrackerCommand,
  CreateSchemaCommand,
  DescribeDatasetExportJobCommand,
  ListDatasetExportJobsCommand,
  ListDatasetsCommand,
  PersonalizeClient,
  type CreateDatasetExportJobCommandInput
} from '@aws-sdk/client-personalize'
import { PersonalizeEventsClient, PutEventsCommand } from '@aws-sdk/client-personalize-events'
import { createPersonalizeEmulator } from '../server'
import { credentials, EXPORT_ROLE_ARN, exportDataset, provisionWorkshop, readExport, workshopCsv } from './fixtures'

type Emulator = ReturnType<typeof createPersonalizeEmulator>
const open: Emulator[] = []

async function emulator(options: Parameters<typeof createPersonalizeEmulator>[0] = {}) {
  const local = createPersonalizeEmulator({ delayMs: 0, ...options })
  open.push(local)
  const config = { region: 'us-west-2', endpoint: await local.listen(), credentials, maxAttempts: 1 }
  return { control: new PersonalizeClient(config), events: new PersonalizeEventsClient(config) }
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((local) => local.close()))
})

/** The workshop's dataset group with its CSV imported (8 users × 3 interactions) and an event tracker. */
async function workshop(dir: string) {
  const local = await emulator()
  const { datasetGroupArn } = await provisionWorkshop(local.control, dir, workshopCsv(8, 3))
  const { datasets } = await local.control.send(new ListDatasetsCommand({ datasetGroupArn }))
  const { trackingId } = await local.control.send(new CreateEventTrackerCommand({ name: 'tracker', datasetGroupArn }))
  return { ...local, datasetGroupArn, datasetArn: datasets![0]!.datasetArn!, trackingId: trackingId! }
}

const job = (datasetArn: string, folder: string, extra: Partial<CreateDatasetExportJobCommandInput> = {}) =>
  new CreateDatasetExportJobCommand({
    jobName: 'export',
    datasetArn,
    roleArn: EXPORT_ROLE_ARN,
    jobOutput: { s3DataDestination: { path: `file://${folder}` } },
    ...extra
  })

test('PUT exports the PutEvents interactions, BULK the imported ones, ALL both; with the schema’s header', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'export-'))
  const { control, events, datasetArn, trackingId } = await workshop(dir)
  await events.send(
    new PutEventsCommand({
      trackingId,
      sessionId: 's-1',
      userId: 'user-1',
      eventList: [
        { eventId: 'e-1', eventType: 'Product Viewed', itemId: 'book-7', sentAt: new Date(1_800_000_000_500) },
        { eventId: 'e-2', eventType: 'Product Added', itemId: 'book, "deluxe"', sentAt: new Date(1_800_000_060_000) },
        // A repeated eventId: Personalize ignores it, so it is not exported.
        { eventId: 'e-1', eventType: 'Product Viewed', itemId: 'book-7', sentAt: new Date(1_800_000_000_500) }
      ]
    })
  )

  const put = await exportDataset(control, datasetArn, path.join(dir, 'out'))
  expect(put).toEqual([
    { USER_ID: 'user-1', ITEM_ID: 'book-7', EVENT_TYPE: 'Product Viewed', TIMESTAMP: '1800000000' },
    { USER_ID: 'user-1', ITEM_ID: 'book, "deluxe"', EVENT_TYPE: 'Product Added', TIMESTAMP: '1800000060' }
  ])
  const bulk = await exportDataset(control, datasetArn, path.join(dir, 'out'), 'BULK')
  const imported = workshopCsv(8, 3).split('\n').slice(1)
  expect(bulk.map((row) => [row.USER_ID, row.ITEM_ID, row.EVENT_TYPE, row.TIMESTAMP].join(','))).toEqual(imported)
  const all = await exportDataset(control, datasetArn, path.join(dir, 'out'), 'ALL')
  expect(all).toEqual([...bulk, ...put])
})

test('a job is CREATE PENDING until the emulator’s delay has passed (ACTIVE after), and is described and listed as AWS does', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'export-'))
  // A delay no test run reaches: the job stays CREATE PENDING.
  const { control } = await emulator({ delayMs: 3_600_000 })
  const { datasetGroupArn } = await control.send(new CreateDatasetGroupCommand({ name: 'g' }))
  const { schemaArn } = await control.send(
    new CreateSchemaCommand({
      name: 's',
      schema: JSON.stringify({
        type: 'record',
        name: 'Interactions',
        fields: ['USER_ID', 'ITEM_ID', 'TIMESTAMP'].map((name) => ({ name, type: 'string' }))
      })
    })
  )
  const { datasetArn } = await control.send(
    new CreateDatasetCommand({ name: 'd', schemaArn, datasetGroupArn, datasetType: 'Interactions' })
  )
  const { datasetExportJobArn } = await control.send(job(datasetArn!, dir))
  expect(datasetExportJobArn).toBe('arn:aws:personalize:us-west-2:000000000000:dataset-export-job/export')
  const { datasetExportJob } = await control.send(new DescribeDatasetExportJobCommand({ datasetExportJobArn }))
  expect(datasetExportJob).toMatchObject({
    jobName: 'export',
    datasetExportJobArn,
    datasetArn,
    ingestionMode: 'PUT',
    roleArn: EXPORT_ROLE_ARN,
    status: 'CREATE PENDING',
    jobOutput: { s3DataDestination: { path: `file://${dir}` } }
  })
  expect(datasetExportJob?.creationDateTime).toBeInstanceOf(Date)
  // An empty dataset exports the header alone.
  expect(readExport(dir, 'export')).toEqual([])
  const listed = await control.send(new ListDatasetExportJobsCommand({ datasetArn }))
  expect(listed.datasetExportJobs).toEqual([
    expect.objectContaining({ jobName: 'export', datasetExportJobArn, status: 'CREATE PENDING' })
  ])
  const other = await control.send(new ListDatasetExportJobsCommand({ datasetArn: `${datasetArn!}-other` }))
  expect(other.datasetExportJobs).toEqual([])
})

test('bad requests get Personalize’s errors', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'export-'))
  const { control, datasetArn } = await workshop(dir)
  const invalid = control.send(
    job(datasetArn, dir, {
      jobName: '-bad',
      ingestionMode: 'SOME' as 'PUT',
      roleArn: 'arn:aws:iam::1:role/r',
      jobOutput: { s3DataDestination: { path: 'x'.repeat(257), kmsKeyArn: 'key' } }
    })
  )
  const { name, message } = (await invalid.catch((error: Error) => error)) as Error
  expect(name).toBe('InvalidInputException')
  expect(message).toMatch(/^5 validation errors detected: /)
  for (const violation of [
    "Value '-bad' at 'jobName' failed to satisfy constraint: Member must satisfy regular expression pattern",
    "Value 'SOME' at 'ingestionMode' failed to satisfy constraint",
    "Value 'arn:aws:iam::1:role/r' at 'roleArn' failed to satisfy constraint",
    "at 'jobOutput.s3DataDestination.path' failed to satisfy constraint: Member must have length less than or equal to 256",
    "Value 'key' at 'jobOutput.s3DataDestination.kmsKeyArn' failed to satisfy constraint"
  ])
    expect(message).toContain(violation)
  await expect(
    control.send(
      new CreateDatasetExportJobCommand({ jobName: 'j', datasetArn, roleArn: EXPORT_ROLE_ARN, jobOutput: undefined })
    )
  ).rejects.toMatchObject({
    name: 'InvalidInputException',
    message:
      "1 validation error detected: Value null at 'jobOutput' failed to satisfy constraint: Member must not be null"
  })
  await expect(control.send(job(`${datasetArn}-missing`, dir))).rejects.toMatchObject({
    name: 'ResourceNotFoundException'
  })
  await control.send(job(datasetArn, dir))
  await expect(control.send(job(datasetArn, dir))).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' })
  await expect(
    control.send(new DescribeDatasetExportJobCommand({ datasetExportJobArn: `${datasetArn}-nothing` }))
  ).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
})

test('an output that cannot be written, or a dataset the emulator does not export, fails the job with the reason', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'export-'))
  const { control, datasetArn, datasetGroupArn } = await workshop(dir)
  // A file where the output folder should be.
  const file = path.join(dir, 'a-file')
  writeFileSync(file, '')
  const { datasetExportJobArn } = await control.send(job(datasetArn, file))
  const failed = await control.send(new DescribeDatasetExportJobCommand({ datasetExportJobArn }))
  expect(failed.datasetExportJob).toMatchObject({
    status: 'CREATE FAILED',
    failureReason: `Cannot write to ${file}/export: ENOTDIR`
  })
  const { schemaArn } = await control.send(
    new CreateSchemaCommand({
      name: 'users',
      schema: JSON.stringify({ type: 'record', name: 'Users', fields: [{ name: 'USER_ID', type: 'string' }] })
    })
  )
  const users = await control.send(
    new CreateDatasetCommand({ name: 'users', schemaArn, datasetGroupArn, datasetType: 'Users' })
  )
  const usersJob = await control.send(job(users.datasetArn!, dir, { jobName: 'users' }))
  const described = await control.send(
    new DescribeDatasetExportJobCommand({ datasetExportJobArn: usersJob.datasetExportJobArn })
  )
  expect(described.datasetExportJob).toMatchObject({
    status: 'CREATE FAILED',
    failureReason: expect.stringContaining('exports Interactions datasets only')
  })
})

test('s3:// outputs land under the emulator’s S3 folder; a restart keeps the job and writes no file', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'export-'))
  const options = { s3Root: path.join(dir, 's3'), dataDir: path.join(dir, 'data') }
  const first = await emulator(options)
  const { datasetGroupArn } = await provisionWorkshop(first.control, dir, workshopCsv(4, 2))
  const { datasets } = await first.control.send(new ListDatasetsCommand({ datasetGroupArn }))
  const datasetArn = datasets![0]!.datasetArn!
  const { datasetExportJobArn } = await first.control.send(
    new CreateDatasetExportJobCommand({
      jobName: 'to-s3',
      datasetArn,
      ingestionMode: 'BULK',
      roleArn: EXPORT_ROLE_ARN,
      jobOutput: { s3DataDestination: { path: 's3://bucket/exports/' } }
    })
  )
  const folder = path.join(dir, 's3', 'bucket', 'exports')
  expect(existsSync(path.join(folder, 'to-s3', 'part-00000.csv'))).toBe(true)
  const rows = readExport(folder, 'to-s3')
  expect(rows).toHaveLength(8)
  await open.pop()!.close()
  rmSync(folder, { recursive: true })

  const second = await emulator(options)
  const { datasetExportJob } = await second.control.send(new DescribeDatasetExportJobCommand({ datasetExportJobArn }))
  expect(datasetExportJob).toMatchObject({ status: 'ACTIVE', ingestionMode: 'BULK', jobName: 'to-s3' })
  // The replay rebuilt the job and wrote nothing: its files were written when it ran (as S3 keeps objects), and a
  // restart never writes outside the data dir.
  expect(existsSync(folder)).toBe(false)
  await expect(
    second.control.send(
      new CreateDatasetExportJobCommand({
        jobName: 'to-s3',
        datasetArn,
        roleArn: EXPORT_ROLE_ARN,
        jobOutput: { s3DataDestination: { path: 's3://bucket/exports/' } }
      })
    )
  ).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' })
})
