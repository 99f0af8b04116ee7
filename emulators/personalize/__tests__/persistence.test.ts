// Nothing acknowledged is lost: the emulator is killed (SIGKILL) and restarted on the same --data-dir, and every
// resource, recorded event and trained model is back, with the same ids and the same recommendations.
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
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
  DescribeDatasetImportJobCommand,
  DescribeEventTrackerCommand,
  PersonalizeClient
} from '@aws-sdk/client-personalize'
import { PersonalizeEventsClient, PutEventsCommand } from '@aws-sdk/client-personalize-events'
import { GetRecommendationsCommand, PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime'
import { createPersonalizeEmulator } from '../server'

const CLI = path.join(__dirname, '..', '..', '..', 'cli', 'main.ts')
const credentials = { accessKeyId: 'a', secretAccessKey: 'b' }
const SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Interactions',
  fields: ['USER_ID', 'ITEM_ID', 'TIMESTAMP'].map((name) => ({ name, type: 'string' }))
})

function csv(): string {
  const rows = ['USER_ID,ITEM_ID,TIMESTAMP']
  for (let u = 0; u < 60; u++)
    for (let k = 0; k < 20; k++)
      rows.push(`u${u},${u % 2 ? 'book' : 'shoe'}-${(u + k) % 8},${1_700_000_000 + u * 100 + k}`)
  return rows.join('\n')
}

async function start(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [
    '--import',
    'tsx',
    CLI,
    'local',
    '--port',
    '0',
    '--delay-ms',
    '0',
    '--data-dir',
    dataDir
  ])
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /ready at (http:\/\/\S+)/.exec(chunk.toString())
      if (match) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code}`)))
  })
  return { child, url }
}

const clients = (endpoint: string) => {
  const config = { region: 'us-west-2', endpoint, credentials, maxAttempts: 1 }
  return {
    control: new PersonalizeClient(config),
    events: new PersonalizeEventsClient(config),
    runtime: new PersonalizeRuntimeClient(config)
  }
}

test('a killed emulator comes back with everything it acknowledged', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'personalize-data-'))
  const source = path.join(dir, 'interactions.csv')
  writeFileSync(source, csv())
  let { child, url } = await start(path.join(dir, 'data'))
  let { control, events, runtime } = clients(url)
  const { datasetGroupArn } = await control.send(new CreateDatasetGroupCommand({ name: 'g' }))
  const { schemaArn } = await control.send(new CreateSchemaCommand({ name: 's', schema: SCHEMA }))
  const { datasetArn } = await control.send(
    new CreateDatasetCommand({ name: 'd', schemaArn, datasetGroupArn, datasetType: 'Interactions' })
  )
  const { datasetImportJobArn } = await control.send(
    new CreateDatasetImportJobCommand({ jobName: 'j', datasetArn, dataSource: { dataLocation: source } })
  )
  const { solutionArn } = await control.send(
    new CreateSolutionCommand({
      name: 'sol',
      datasetGroupArn,
      recipeArn: 'arn:aws:personalize:::recipe/aws-user-personalization'
    })
  )
  const { solutionVersionArn } = await control.send(new CreateSolutionVersionCommand({ solutionArn }))
  const { campaignArn } = await control.send(new CreateCampaignCommand({ name: 'c', solutionVersionArn }))
  const { eventTrackerArn, trackingId } = await control.send(
    new CreateEventTrackerCommand({ name: 't', datasetGroupArn })
  )
  await events.send(
    new PutEventsCommand({
      trackingId,
      sessionId: 'visitor',
      eventList: [{ eventType: 'View', itemId: 'book-3', sentAt: new Date(1_800_000_000_000) }]
    })
  )
  const before = await runtime.send(new GetRecommendationsCommand({ campaignArn, userId: 'visitor', numResults: 5 }))

  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
  writeFileSync(source, 'the original file changed after the import')
  ;({ child, url } = await start(path.join(dir, 'data')))
  ;({ control, events, runtime } = clients(url))

  const { eventTracker } = await control.send(new DescribeEventTrackerCommand({ eventTrackerArn }))
  expect(eventTracker).toMatchObject({ trackingId, status: 'ACTIVE' })
  const { datasetImportJob } = await control.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn }))
  expect(datasetImportJob).toMatchObject({ status: 'ACTIVE', dataSource: { dataLocation: source } })
  const after = await runtime.send(new GetRecommendationsCommand({ campaignArn, userId: 'visitor', numResults: 5 }))
  expect(after.itemList).toEqual(before.itemList)
  child.kill('SIGTERM')
  await new Promise((resolve) => child.once('exit', resolve))
})

test('a journal line cut short by a crash was never acknowledged and is skipped', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'personalize-torn-'))
  const first = createPersonalizeEmulator({ delayMs: 0, dataDir: dir })
  const { control } = clients(await first.listen())
  const { datasetGroupArn } = await control.send(new CreateDatasetGroupCommand({ name: 'kept' }))
  await first.close()
  appendFileSync(path.join(dir, 'journal.ndjson'), '{"op":"CreateDatasetGroup","input":{"name":"to')
  const second = createPersonalizeEmulator({ delayMs: 0, dataDir: dir })
  const again = await clients(await second.listen()).control.send(new CreateDatasetGroupCommand({ name: 'after' }))
  expect(second.store.list('dataset-group').map((g) => g.arn)).toEqual([datasetGroupArn, again.datasetGroupArn])
  await second.close()
  // What was acknowledged after the crash is kept too: the torn line did not swallow it.
  const third = createPersonalizeEmulator({ delayMs: 0, dataDir: dir })
  expect(third.store.list('dataset-group').map((g) => g.arn)).toEqual([datasetGroupArn, again.datasetGroupArn])
  await third.close()
})

test('without --data-dir, a restart starts empty', async () => {
  const first = createPersonalizeEmulator({ delayMs: 0 })
  await clients(await first.listen()).control.send(new CreateDatasetGroupCommand({ name: 'gone' }))
  await first.close()
  expect(createPersonalizeEmulator({ delayMs: 0 }).store.resources.size).toBe(0)
})
