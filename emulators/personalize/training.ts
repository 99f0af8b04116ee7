// Dataset import jobs, solutions, solution versions (training) and campaigns.
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { csvFields } from '../../common/csv'
import { metricsWhenAsked } from './metrics'
import { train, type Interaction } from './model'
import { AwsError, ERRORS } from './protocol'
import { recipeOf } from './recipes'
import { create, exists, notFound, tagsProblem, type Operation } from './resources'
import type { Resource, Store, Tag } from './store'

// Personalize's training minimums (https://docs.aws.amazon.com/personalize/latest/dg/limits.html): at least 1000
// interactions, from at least 25 users with 2 or more each. The failure texts are the emulator's own wording.
export const MIN_INTERACTIONS = 1000
export const MIN_USERS_WITH_TWO = 25

/** A data location the emulator cannot map to a file, and why: an InvalidInputException. */
export class LocationError extends Error {
  override name = 'LocationError'
}

/**
 * Where a data location is read from or written to: s3://bucket/key is <S3 folder>/bucket/key and stays inside it,
 * as a key stays inside its bucket (S3 keys are names, not paths: a `.` or `..` segment, which a file system would
 * climb with, is refused); a file:// URL or a path is the local user's own file, as the AWS CLI reads
 * `file://` parameters (https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-parameters-file.html). Only
 * callers that passed the stack's Host and Origin checks (../http.ts) get here. Throws a LocationError.
 */
export function localPath(location: string, s3Root: string): string {
  if (location.includes('\0')) throw new LocationError(`The location ${JSON.stringify(location)} has a NUL byte.`)
  if (location.startsWith('s3://')) {
    const segments = location.slice('s3://'.length).split('/')
    if (segments[0] === '' || segments.some((segment) => segment === '.' || segment === '..'))
      throw new LocationError(
        `${location} is not an S3 location the local Personalize can use: it needs a bucket, and no "." or ".." in its key.`
      )
    const root = path.resolve(s3Root)
    const resolved = path.join(root, ...segments)
    if (!resolved.startsWith(root + path.sep)) throw new LocationError(`${location} is outside the S3 folder.`)
    return resolved
  }
  if (location.startsWith('file:')) {
    try {
      return fileURLToPath(location)
    } catch (error) {
      throw new LocationError(`${location} is not a file URL of this machine: ${(error as Error).message}`)
    }
  }
  return path.resolve(location)
}

/** localPath, or the InvalidInputException its LocationError is answered with. */
export function resolveLocation(location: string, s3Root: string): string | AwsError {
  try {
    return localPath(location, s3Root)
  } catch (error) {
    if (error instanceof LocationError) return ERRORS.invalidInput(error.message)
    throw error
  }
}

/**
 * The file an import job will read, when it will read one: its dataset exists, the job does not, and the location
 * is a regular file. Under --data-dir, only such a file is copied into the data dir (journal.ts keepImport).
 */
export function importedFile(store: Store, input: Record<string, unknown>, s3Root: string): string | undefined {
  if (!store.get('dataset', input.datasetArn)) return undefined
  if (store.resources.has(store.arn('dataset-import-job', input.jobName as string))) return undefined
  const location = (input.dataSource as { dataLocation?: unknown } | undefined)?.dataLocation
  if (typeof location !== 'string') return undefined
  const file = resolveLocation(location, s3Root)
  if (file instanceof AwsError) return undefined
  try {
    return statSync(file).isFile() ? file : undefined
  } catch {
    return undefined
  }
}

/** The properties key of a schema column, as Personalize names them (CATEGORY_L1 → categoryL1). */
export const camel = (column: string) => column.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())

function importCsv(store: Store, dataset: Resource, text: string): string | undefined {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '')
  const header = csvFields(lines[0] ?? '').map((h) => h.trim().toUpperCase())
  const type = dataset.fields.datasetType as string
  const idColumn = type === 'ITEMS' ? 'ITEM_ID' : 'USER_ID'
  const required = type === 'INTERACTIONS' ? ['USER_ID', 'ITEM_ID', 'TIMESTAMP'] : [idColumn]
  const missing = required.filter((column) => !header.includes(column))
  if (missing.length > 0) return `The CSV header has no ${missing.join(', ')} column.`
  const rows = lines.slice(1).map(csvFields)
  if (type === 'INTERACTIONS') {
    const [u, i, t] = required.map((column) => header.indexOf(column)) as [number, number, number]
    const e = header.indexOf('EVENT_TYPE')
    const interactions: Interaction[] = []
    for (const [n, row] of rows.entries()) {
      const timestamp = Number(row[t])
      if (!row[u] || !row[i] || !Number.isFinite(timestamp))
        return `Row ${n + 2} needs USER_ID, ITEM_ID and a numeric TIMESTAMP.`
      interactions.push({
        userId: row[u],
        itemId: row[i],
        timestamp,
        ...(e >= 0 && row[e] ? { eventType: row[e] } : {})
      })
    }
    const groupArn = dataset.fields.datasetGroupArn as string
    store.addImported(groupArn, interactions)
    return undefined
  }
  const idIndex = header.indexOf(idColumn)
  const records = rows.map((row): [string, string | undefined] => {
    const properties = Object.fromEntries(
      header.flatMap((column, k) => (k === idIndex || row[k] === undefined ? [] : [[camel(column), row[k]]]))
    )
    return [row[idIndex]!, Object.keys(properties).length > 0 ? JSON.stringify(properties) : undefined]
  })
  store.putMetadata(dataset.arn, records)
  return undefined
}

/** The interactions a solution version trains on: imported ones and recorded events that name a user and an item. */
export function trainingData(store: Store, datasetGroupArn: string, eventType?: string): Interaction[] {
  const recorded = (store.events.get(datasetGroupArn) ?? [])
    .filter((e) => e.userId && e.itemId && (!eventType || e.eventType === eventType))
    .map((e) => ({ userId: e.userId!, itemId: e.itemId!, timestamp: e.sentAt, eventType: e.eventType }))
  const imported = (store.imported.get(datasetGroupArn) ?? []).filter((i) => !eventType || i.eventType === eventType)
  return [...imported, ...recorded]
}

export function minimumsProblem(interactions: Interaction[]): string | undefined {
  if (interactions.length < MIN_INTERACTIONS) {
    return `Insufficient data for training: there are ${interactions.length} interactions; at least ${MIN_INTERACTIONS} are required.`
  }
  const counts = new Map<string, number>()
  for (const { userId } of interactions) counts.set(userId, (counts.get(userId) ?? 0) + 1)
  const withTwo = [...counts.values()].filter((n) => n >= 2).length
  if (withTwo < MIN_USERS_WITH_TWO) {
    return `Insufficient data for training: ${withTwo} users have 2 or more interactions; at least ${MIN_USERS_WITH_TWO} are required.`
  }
  return undefined
}

export function trainingOperations(s3Root: string): Record<string, Operation> {
  return {
    CreateDatasetImportJob: (store, input) => {
      const dataset = store.get('dataset', input.datasetArn)
      if (!dataset) return notFound(input.datasetArn)
      const arn = store.arn('dataset-import-job', input.jobName as string)
      if (store.resources.has(arn)) return exists(arn)
      const tagged = tagsProblem([], (input.tags as Tag[] | undefined) ?? [])
      if (tagged) return tagged
      const location = (input.dataSource as { dataLocation?: string } | undefined)?.dataLocation ?? ''
      const file = resolveLocation(location, s3Root)
      if (file instanceof AwsError) return file
      let failureReason: string | undefined
      try {
        failureReason = importCsv(store, dataset, readFileSync(file, 'utf8'))
      } catch (error) {
        failureReason = `Cannot read ${location}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`
      }
      store.add(
        'dataset-import-job',
        arn,
        input.jobName as string,
        {
          datasetArn: dataset.arn,
          // Under --data-dir the import reads a copy in the data dir; the job shows where the data came from.
          dataSource: input.originalDataLocation ? { dataLocation: input.originalDataLocation } : input.dataSource,
          roleArn: input.roleArn,
          importMode: input.importMode ?? 'FULL',
          publishAttributionMetricsToS3: input.publishAttributionMetricsToS3,
          ...(failureReason ? { failureReason } : {})
        },
        (input.tags as Tag[] | undefined) ?? []
      )
      return { datasetImportJobArn: arn }
    },
    CreateSolution: (store, input) => {
      const group = store.get('dataset-group', input.datasetGroupArn)
      if (!group) return notFound(input.datasetGroupArn)
      // AutoML is retired and the emulator trains named recipes only; a recommender's use case is not a solution's
      // recipe (https://docs.aws.amazon.com/personalize/latest/dg/API_CreateSolution.html).
      if (input.recipeArn === undefined)
        return ERRORS.invalidInput('recipeArn is required: the local Personalize does not run AutoML.')
      const recipe = recipeOf(input.recipeArn)
      if (!recipe) return notFound(input.recipeArn)
      if (recipe.domain)
        return ERRORS.invalidInput(
          `${input.recipeArn as string} is a ${recipe.domain} use case: create a recommender with it (CreateRecommender).`
        )
      const created = create(
        store,
        'solution',
        input.name as string,
        input.name as string,
        {
          datasetGroupArn: group.arn,
          recipeArn: input.recipeArn,
          eventType: input.eventType,
          performHPO: input.performHPO ?? false,
          performAutoML: false,
          performAutoTraining: input.performAutoTraining ?? true
        },
        input.tags
      )
      return created instanceof AwsError ? created : { solutionArn: created.arn }
    },
    CreateSolutionVersion: (store, input) => {
      const solution = store.get('solution', input.solutionArn)
      if (!solution) return notFound(input.solutionArn)
      // A name is optional; two versions of a solution cannot share one.
      const name = input.name as string | undefined
      if (name !== undefined) {
        const same = store.list('solution-version', (v) => v.fields.solutionArn === solution.arn && v.name === name)
        if (same.length > 0) return exists(same[0]!.arn)
      }
      const tagged = tagsProblem([], (input.tags as Tag[] | undefined) ?? [])
      if (tagged) return tagged
      const arn = store.arn('solution', `${solution.name}/${store.uuid().slice(0, 8)}`)
      const datasetGroupArn = solution.fields.datasetGroupArn as string
      const data = trainingData(store, datasetGroupArn, solution.fields.eventType as string | undefined)
      const failureReason = minimumsProblem(data)
      const version = store.add(
        'solution-version',
        arn,
        name ?? '',
        {
          solutionArn: solution.arn,
          datasetGroupArn,
          recipeArn: solution.fields.recipeArn,
          eventType: solution.fields.eventType,
          performHPO: solution.fields.performHPO,
          performAutoML: false,
          trainingMode: input.trainingMode ?? 'FULL',
          trainingType: 'MANUAL',
          // The emulator trains in well under a second; AWS bills at least an hour's fraction of this.
          trainingHours: 0,
          ...(failureReason ? { failureReason } : {})
        },
        (input.tags as Tag[] | undefined) ?? []
      )
      const eventsSeen = store.events.get(datasetGroupArn)?.length ?? 0
      const serving = recipeOf(solution.fields.recipeArn)?.serving ?? 'user'
      if (!failureReason)
        store.setModel(version.arn, { model: train(data), eventsSeen, metrics: metricsWhenAsked(data, serving) })
      return { solutionVersionArn: arn }
    },
    GetSolutionMetrics: (store, input) => {
      const version = store.get('solution-version', input.solutionVersionArn)
      if (!version) return notFound(input.solutionVersionArn)
      const status = store.status(version)
      const trained = store.models.get(version.arn)
      if (status !== 'ACTIVE' || !trained)
        return ERRORS.inUse(
          `The solution version ${version.arn} is ${status}; its metrics are ready once it is ACTIVE.`
        )
      return { solutionVersionArn: version.arn, metrics: trained.metrics() }
    },
    CreateCampaign: (store, input) => {
      const version = store.get('solution-version', input.solutionVersionArn)
      if (!version) return notFound(input.solutionVersionArn)
      const status = store.status(version)
      if (status !== 'ACTIVE')
        return ERRORS.invalidInput(`The solution version ${version.arn} is ${status}; a campaign needs an ACTIVE one.`)
      const created = create(
        store,
        'campaign',
        input.name as string,
        input.name as string,
        {
          solutionVersionArn: version.arn,
          minProvisionedTPS: input.minProvisionedTPS ?? 1,
          ...(input.campaignConfig ? { campaignConfig: input.campaignConfig } : {})
        },
        input.tags
      )
      return created instanceof AwsError ? created : { campaignArn: created.arn }
    }
  }
}
