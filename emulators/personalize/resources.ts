// What every control-plane resource shares: creating under a unique ARN (with tags), Describe<Name> and List<Names>
// (one table, with the members AWS's model gives each answer), paging, and deleting unless another resource still
// uses it.
import { createHmac, randomBytes } from 'node:crypto'
import { AwsError, ERRORS } from './protocol'
import type { Kind, Resource, Store, Tag } from './store'

export type Input = Record<string, unknown>
export type Result = Record<string, unknown> | AwsError
export type Operation = (store: Store, input: Input) => Result

export const notFound = (arn: unknown) => ERRORS.notFound(`Could not find resource with ARN ${String(arn)}`)
export const exists = (arn: string) => ERRORS.alreadyExists(`Resource with ARN ${arn} already exists.`)

// At most 50 tags per resource (https://docs.aws.amazon.com/personalize/latest/dg/tagging-resources.html); keys that
// start with aws: are AWS's own (https://docs.aws.amazon.com/tag-editor/latest/userguide/best-practices-and-strats.html).
export const MAX_TAGS = 50

/** Why these tags cannot be added to `existing`, or undefined. */
export function tagsProblem(existing: Tag[], added: Tag[]): AwsError | undefined {
  const reserved = added.find((tag) => tag.tagKey.toLowerCase().startsWith('aws:'))
  if (reserved) return ERRORS.invalidInput(`Tag keys starting with aws: are reserved for AWS use: ${reserved.tagKey}`)
  const keys = new Set([...existing, ...added].map((tag) => tag.tagKey))
  if (keys.size > MAX_TAGS)
    return ERRORS.tooManyTags(`A resource can have at most ${MAX_TAGS} tags; this request would give it ${keys.size}.`)
  return undefined
}

/** `existing` with `added` set (a key given again takes the new value). */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.tagKey, tag.tagValue]))
  for (const tag of added) byKey.set(tag.tagKey, tag.tagValue)
  return [...byKey].map(([tagKey, tagValue]) => ({ tagKey, tagValue }))
}

export function create(
  store: Store,
  kind: Kind,
  path: string,
  name: string,
  fields: Record<string, unknown>,
  tags?: unknown
): Resource | AwsError {
  const arn = store.arn(kind, path)
  if (store.resources.has(arn)) return exists(arn)
  const given = (tags as Tag[] | undefined) ?? []
  const problem = tagsProblem([], given)
  if (problem) return problem
  return store.add(kind, arn, name, fields, mergeTags([], given))
}

export function remove(store: Store, kind: Kind, arn: unknown, inUseBy: (r: Resource) => boolean): Result {
  const resource = store.get(kind, arn)
  if (!resource) return notFound(arn)
  const user = [...store.resources.values()].find(inUseBy)
  if (user) return ERRORS.inUse(`Cannot delete ${resource.arn}: it is used by ${user.arn}.`)
  store.remove(resource.arn)
  return {}
}

/** A List* filter on a field of the resource, when the request names one (`ListDatasets{datasetGroupArn}`). */
export const where = (key: string) => (input: Input) => (r: Resource) =>
  input[key] === undefined || r.fields[key] === input[key]

// Paging. A nextToken is opaque to clients: here the operation and the position of the next entry, signed with a key
// of this process so that a token the emulator did not hand out (or one from another List operation) is
// InvalidNextTokenException, as the model has it for every List operation. Tokens do not survive a restart; AWS's
// expire too. The default page is the model's largest maxResults (MaxResults: 1..100).
const TOKEN_KEY = randomBytes(32)
export const DEFAULT_MAX_RESULTS = 100

const sign = (payload: string) => createHmac('sha256', TOKEN_KEY).update(payload).digest('base64url').slice(0, 22)

export function pageToken(op: string, offset: number): string {
  const payload = Buffer.from(JSON.stringify({ op, offset })).toString('base64url')
  return `${payload}.${sign(payload)}`
}

/** The position a token points at, or the error for a token that is not one of ours for this operation. */
export function tokenOffset(op: string, token: unknown): number | AwsError {
  if (token === undefined) return 0
  const [payload = '', signature = ''] = (typeof token === 'string' ? token : '').split('.')
  // Our own wording: AWS's message for a bad token is not documented.
  const invalid = ERRORS.invalidNextToken(`The nextToken is not valid for ${op}: use one returned by ${op}.`)
  if (!payload || signature !== sign(payload)) return invalid
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { op?: unknown; offset?: unknown }
    return parsed.op === op && typeof parsed.offset === 'number' ? parsed.offset : invalid
  } catch {
    return invalid
  }
}

/** One page of `entries` under `key`, with a nextToken when more follow. */
export function paginate<T>(op: string, key: string, entries: T[], input: Input): Result {
  const offset = tokenOffset(op, input.nextToken)
  if (offset instanceof AwsError) return offset
  const size = (input.maxResults as number | undefined) ?? DEFAULT_MAX_RESULTS
  const page = entries.slice(offset, offset + size)
  const next = offset + size < entries.length ? { nextToken: pageToken(op, offset + size) } : {}
  return { [key]: page, ...next }
}

/** The members a resource's answers may have, from the model, with how this emulator fills them. */
interface Readable {
  kind: Kind
  /** The Describe response's key (`datasetGroup`), which also names the operation. */
  one: string
  /** The List response's key (`datasetGroups`; `Filters` for ListFilters, as AWS spells it). */
  many: string
  filter?: (input: Input) => (r: Resource) => boolean
  /** The members of the Describe answer's object and of a List summary (botocore personalize/2018-05-22). */
  describe: string[]
  summary: string[]
}

const TIMES = ['creationDateTime', 'lastUpdatedDateTime']

export const READABLE: Readable[] = [
  {
    kind: 'dataset-group',
    one: 'datasetGroup',
    many: 'datasetGroups',
    describe: ['name', 'datasetGroupArn', 'status', 'roleArn', 'kmsKeyArn', ...TIMES, 'failureReason', 'domain'],
    summary: ['name', 'datasetGroupArn', 'status', ...TIMES, 'failureReason', 'domain']
  },
  {
    kind: 'schema',
    one: 'schema',
    many: 'schemas',
    describe: ['name', 'schemaArn', 'schema', ...TIMES, 'domain'],
    summary: ['name', 'schemaArn', ...TIMES, 'domain']
  },
  {
    kind: 'dataset',
    one: 'dataset',
    many: 'datasets',
    filter: where('datasetGroupArn'),
    describe: ['name', 'datasetArn', 'datasetGroupArn', 'datasetType', 'schemaArn', 'status', ...TIMES],
    summary: ['name', 'datasetArn', 'datasetType', 'status', ...TIMES]
  },
  {
    kind: 'event-tracker',
    one: 'eventTracker',
    many: 'eventTrackers',
    filter: where('datasetGroupArn'),
    describe: ['name', 'eventTrackerArn', 'accountId', 'trackingId', 'datasetGroupArn', 'status', ...TIMES],
    summary: ['name', 'eventTrackerArn', 'status', ...TIMES]
  },
  {
    kind: 'dataset-import-job',
    one: 'datasetImportJob',
    many: 'datasetImportJobs',
    filter: where('datasetArn'),
    describe: [
      'jobName',
      'datasetImportJobArn',
      'datasetArn',
      'dataSource',
      'roleArn',
      'status',
      ...TIMES,
      'failureReason',
      'importMode',
      'publishAttributionMetricsToS3'
    ],
    summary: ['datasetImportJobArn', 'jobName', 'status', ...TIMES, 'failureReason', 'importMode']
  },
  {
    kind: 'dataset-export-job',
    one: 'datasetExportJob',
    many: 'datasetExportJobs',
    filter: where('datasetArn'),
    describe: [
      'jobName',
      'datasetExportJobArn',
      'datasetArn',
      'ingestionMode',
      'roleArn',
      'status',
      'jobOutput',
      ...TIMES,
      'failureReason'
    ],
    summary: ['datasetExportJobArn', 'jobName', 'status', ...TIMES, 'failureReason']
  },
  {
    kind: 'solution',
    one: 'solution',
    many: 'solutions',
    filter: where('datasetGroupArn'),
    describe: [
      'name',
      'solutionArn',
      'performHPO',
      'performAutoML',
      'performAutoTraining',
      'recipeArn',
      'datasetGroupArn',
      'eventType',
      'status',
      ...TIMES,
      'latestSolutionVersion'
    ],
    summary: ['name', 'solutionArn', 'status', ...TIMES, 'recipeArn']
  },
  {
    kind: 'solution-version',
    one: 'solutionVersion',
    many: 'solutionVersions',
    filter: where('solutionArn'),
    describe: [
      'name',
      'solutionVersionArn',
      'solutionArn',
      'performHPO',
      'performAutoML',
      'recipeArn',
      'eventType',
      'datasetGroupArn',
      'trainingHours',
      'trainingMode',
      'status',
      'failureReason',
      ...TIMES,
      'trainingType'
    ],
    summary: ['solutionVersionArn', 'status', 'trainingMode', 'trainingType', ...TIMES, 'failureReason']
  },
  {
    kind: 'campaign',
    one: 'campaign',
    many: 'campaigns',
    // A campaign names its solution version, whose ARN is the solution's plus a version id.
    filter: (input) => (r) =>
      input.solutionArn === undefined ||
      String(r.fields.solutionVersionArn).startsWith(`${input.solutionArn as string}/`),
    describe: [
      'name',
      'campaignArn',
      'solutionVersionArn',
      'minProvisionedTPS',
      'campaignConfig',
      'status',
      'failureReason',
      ...TIMES
    ],
    summary: ['name', 'campaignArn', 'status', ...TIMES, 'failureReason']
  },
  {
    kind: 'filter',
    one: 'filter',
    many: 'Filters',
    filter: where('datasetGroupArn'),
    describe: ['name', 'filterArn', ...TIMES, 'datasetGroupArn', 'failureReason', 'filterExpression', 'status'],
    summary: ['name', 'filterArn', ...TIMES, 'datasetGroupArn', 'failureReason', 'status']
  },
  {
    kind: 'recommender',
    one: 'recommender',
    many: 'recommenders',
    filter: where('datasetGroupArn'),
    describe: [
      'recommenderArn',
      'datasetGroupArn',
      'name',
      'recipeArn',
      'recommenderConfig',
      ...TIMES,
      'status',
      'failureReason',
      'latestRecommenderUpdate',
      'modelMetrics'
    ],
    summary: ['name', 'recommenderArn', 'datasetGroupArn', 'recipeArn', 'recommenderConfig', 'status', ...TIMES]
  }
]

const pascal = (key: string) => key[0]!.toUpperCase() + key.slice(1)

/** Every value the answers about a resource can show, computed when asked (statuses and times move). */
type Extra = (store: Store, r: Resource) => Record<string, unknown>

/** Members computed from other resources: a solution's latest version, a recommender's metrics and update. */
const EXTRA: Partial<Record<Kind, Extra>> = {
  solution: (store, r) => {
    const latest = store.list('solution-version', (v) => v.fields.solutionArn === r.arn).at(-1)
    return latest ? { latestSolutionVersion: pick(present(store, 'solution-version', latest), versionSummary) } : {}
  },
  recommender: (store, r) => {
    const metrics = store.models.get(r.arn)?.metrics
    const status = store.status(r)
    // The last UpdateRecommender, while it runs and after (status ACTIVE once done).
    const update = r.fields._update as Record<string, unknown> | undefined
    return {
      ...(metrics && !status.startsWith('CREATE') ? { modelMetrics: metrics() } : {}),
      ...(update
        ? {
            latestRecommenderUpdate: {
              ...update,
              status: r.phase.verb === 'UPDATE' ? status : 'ACTIVE',
              lastUpdatedDateTime:
                (r.phase.verb === 'UPDATE' ? store.lastUpdated(r) : (update.creationDateTime as number) * 1000) / 1000
            }
          }
        : {})
    }
  }
}

const versionSummary = READABLE.find((r) => r.kind === 'solution-version')!.summary

/** Every member a resource can show, before picking those of one answer. */
function present(store: Store, kind: Kind, r: Resource): Record<string, unknown> {
  const { one } = READABLE.find((readable) => readable.kind === kind)!
  const { name, ...summary } = store.summary(r)
  const nameKey = kind === 'dataset-import-job' || kind === 'dataset-export-job' ? 'jobName' : 'name'
  return {
    ...summary,
    [nameKey]: name === '' ? undefined : name,
    [`${one}Arn`]: r.arn,
    ...r.fields,
    ...EXTRA[kind]?.(store, r)
  }
}

const pick = (values: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(keys.flatMap((key) => (values[key] === undefined ? [] : [[key, values[key]]])))

/** Describe<Name> and List<Names> for every resource kind. */
export function readOperations(): Record<string, Operation> {
  return Object.fromEntries(
    READABLE.flatMap(({ kind, one, many, filter, describe, summary }) => {
      const arnKey = `${one}Arn`
      const describeOp: Operation = (store, input) => {
        const resource = store.get(kind, input[arnKey])
        if (!resource) return notFound(input[arnKey])
        return { [one]: pick(present(store, kind, resource), describe) }
      }
      const listName = `List${pascal(many)}`
      const list: Operation = (store, input) =>
        // ListSolutionVersions is the one List operation whose model has ResourceNotFoundException, for its solution.
        kind === 'solution-version' && input.solutionArn !== undefined && !store.get('solution', input.solutionArn)
          ? notFound(input.solutionArn)
          : paginate(
              listName,
              many,
              store.list(kind, filter?.(input)).map((r) => pick(present(store, kind, r), summary)),
              input
            )
      return [
        [`Describe${pascal(one)}`, describeOp],
        [listName, list]
      ]
    })
  )
}
