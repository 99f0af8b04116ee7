// The control plane (awsJson1_1, `X-Amz-Target: AmazonPersonalize.<Op>`): the resources the workshop clicked
// through, so far dataset groups, schemas, datasets and event trackers, with Create, Describe, List and Delete.
import { AwsError, ERRORS } from './protocol'
import { CONTROL_SHAPES } from './shapes'
import { parseFilter } from './filters'
import { trainingOperations } from './training'
import type { Kind, Resource, Store } from './store'

type Input = Record<string, unknown>
type Result = Record<string, unknown> | AwsError
export type ControlOperation = keyof typeof CONTROL_SHAPES

const DATASET_TYPES: Record<string, { suffix: string; fields: string[] }> = {
  interactions: { suffix: 'INTERACTIONS', fields: ['USER_ID', 'ITEM_ID', 'TIMESTAMP'] },
  users: { suffix: 'USERS', fields: ['USER_ID'] },
  items: { suffix: 'ITEMS', fields: ['ITEM_ID'] }
}

const notFound = (arn: unknown) => ERRORS.notFound(`Could not find resource with ARN ${String(arn)}`)
const exists = (arn: string) => ERRORS.alreadyExists(`Resource with ARN ${arn} already exists.`)

function create(
  store: Store,
  kind: Kind,
  path: string,
  name: string,
  fields: Record<string, unknown>
): Resource | AwsError {
  const arn = store.arn(kind, path)
  return store.resources.has(arn) ? exists(arn) : store.add(kind, arn, name, fields)
}

function remove(store: Store, kind: Kind, arn: unknown, inUseBy: (r: Resource) => boolean): Result {
  const resource = store.get(kind, arn)
  if (!resource) return notFound(arn)
  const user = [...store.resources.values()].find(inUseBy)
  if (user) return ERRORS.inUse(`Cannot delete ${resource.arn}: it is used by ${user.arn}.`)
  store.resources.delete(resource.arn)
  return {}
}

/** Avro record fields, or why the schema is not one Personalize accepts. */
function avroFields(schema: string): string[] | string {
  let parsed: unknown
  try {
    parsed = JSON.parse(schema)
  } catch {
    return 'Invalid schema: it is not JSON'
  }
  const record = parsed as { type?: unknown; name?: unknown; fields?: unknown }
  if (record.type !== 'record' || typeof record.name !== 'string' || !Array.isArray(record.fields)) {
    return 'Invalid Avro schema: the top level must be a record with a name and fields'
  }
  const names = (record.fields as Array<{ name?: unknown; type?: unknown }>).map((f) => f.name)
  if (
    names.some((n) => typeof n !== 'string') ||
    (record.fields as Array<{ type?: unknown }>).some((f) => f.type === undefined)
  ) {
    return 'Invalid Avro schema: every field needs a name and a type'
  }
  return names as string[]
}

const describe = (key: string, store: Store, resource: Resource | undefined, arnKey: string, arn: unknown): Result =>
  resource ? { [key]: { ...store.summary(resource), [arnKey]: resource.arn, ...resource.fields } } : notFound(arn)

const list = (key: string, store: Store, kind: Kind, arnKey: string, filter?: (r: Resource) => boolean): Result => ({
  [key]: store.list(kind, filter).map((r) => ({ ...store.summary(r), [arnKey]: r.arn }))
})

const inGroup = (input: Input) => (r: Resource) =>
  input.datasetGroupArn === undefined || r.fields.datasetGroupArn === input.datasetGroupArn

const under = (key: string, input: Input) => (r: Resource) => input[key] === undefined || r.fields[key] === input[key]

export type Operation = (store: Store, input: Input) => Result

/** Every control-plane operation the emulator serves, by name (a test checks each has a shape and vice versa). */
export function controlOperations(s3Root: string): Record<string, Operation> {
  return { ...RESOURCE_OPERATIONS, ...trainingOperations(s3Root), ...TRAINING_READS }
}

const TRAINING_READS: Record<string, Operation> = {
  DescribeDatasetImportJob: (store, input) =>
    describe(
      'datasetImportJob',
      store,
      store.get('dataset-import-job', input.datasetImportJobArn),
      'datasetImportJobArn',
      input.datasetImportJobArn
    ),
  ListDatasetImportJobs: (store, input) =>
    list('datasetImportJobs', store, 'dataset-import-job', 'datasetImportJobArn', under('datasetArn', input)),
  DescribeSolution: (store, input) =>
    describe('solution', store, store.get('solution', input.solutionArn), 'solutionArn', input.solutionArn),
  ListSolutions: (store, input) => list('solutions', store, 'solution', 'solutionArn', inGroup(input)),
  DeleteSolution: (store, input) =>
    remove(
      store,
      'solution',
      input.solutionArn,
      (r) =>
        r.kind === 'solution-version' &&
        r.fields.solutionArn === input.solutionArn &&
        [...store.resources.values()].some((c) => c.kind === 'campaign' && c.fields.solutionVersionArn === r.arn)
    ),
  DescribeSolutionVersion: (store, input) =>
    describe(
      'solutionVersion',
      store,
      store.get('solution-version', input.solutionVersionArn),
      'solutionVersionArn',
      input.solutionVersionArn
    ),
  ListSolutionVersions: (store, input) =>
    list('solutionVersions', store, 'solution-version', 'solutionVersionArn', under('solutionArn', input)),
  DescribeCampaign: (store, input) =>
    describe('campaign', store, store.get('campaign', input.campaignArn), 'campaignArn', input.campaignArn),
  ListCampaigns: (store, input) =>
    list(
      'campaigns',
      store,
      'campaign',
      'campaignArn',
      (r) =>
        input.solutionArn === undefined ||
        String(r.fields.solutionVersionArn).startsWith(`${input.solutionArn as string}/`)
    ),
  DeleteCampaign: (store, input) => remove(store, 'campaign', input.campaignArn, () => false),
  CreateFilter: (store, input) => {
    const group = store.get('dataset-group', input.datasetGroupArn)
    if (!group) return notFound(input.datasetGroupArn)
    const parsed = parseFilter(input.filterExpression as string)
    if (typeof parsed === 'string') return ERRORS.invalidInput(parsed)
    const created = create(store, 'filter', input.name as string, input.name as string, {
      datasetGroupArn: group.arn,
      filterExpression: input.filterExpression
    })
    return created instanceof AwsError ? created : { filterArn: created.arn }
  },
  DescribeFilter: (store, input) =>
    describe('filter', store, store.get('filter', input.filterArn), 'filterArn', input.filterArn),
  ListFilters: (store, input) => list('Filters', store, 'filter', 'filterArn', inGroup(input)),
  DeleteFilter: (store, input) => remove(store, 'filter', input.filterArn, () => false)
}

const RESOURCE_OPERATIONS = {
  CreateDatasetGroup: (store, input) => {
    const name = input.name as string
    const created = create(store, 'dataset-group', name, name, input.domain ? { domain: input.domain } : {})
    return created instanceof AwsError ? created : { datasetGroupArn: created.arn, ...created.fields }
  },
  DescribeDatasetGroup: (store, input) =>
    describe(
      'datasetGroup',
      store,
      store.get('dataset-group', input.datasetGroupArn),
      'datasetGroupArn',
      input.datasetGroupArn
    ),
  ListDatasetGroups: (store) => list('datasetGroups', store, 'dataset-group', 'datasetGroupArn'),
  DeleteDatasetGroup: (store, input) =>
    remove(store, 'dataset-group', input.datasetGroupArn, (r) => r.fields.datasetGroupArn === input.datasetGroupArn),

  CreateSchema: (store, input) => {
    const fields = avroFields(input.schema as string)
    if (typeof fields === 'string') return ERRORS.invalidInput(fields)
    const created = create(store, 'schema', input.name as string, input.name as string, { schema: input.schema })
    return created instanceof AwsError ? created : { schemaArn: created.arn }
  },
  DescribeSchema: (store, input) =>
    describe('schema', store, store.get('schema', input.schemaArn), 'schemaArn', input.schemaArn),
  ListSchemas: (store) => list('schemas', store, 'schema', 'schemaArn'),
  DeleteSchema: (store, input) =>
    remove(store, 'schema', input.schemaArn, (r) => r.fields.schemaArn === input.schemaArn),

  CreateDataset: (store, input) => {
    const group = store.get('dataset-group', input.datasetGroupArn)
    const schema = store.get('schema', input.schemaArn)
    if (!group) return notFound(input.datasetGroupArn)
    if (!schema) return notFound(input.schemaArn)
    const type = DATASET_TYPES[String(input.datasetType).toLowerCase()]
    if (!type)
      return ERRORS.invalidInput(
        `Dataset type ${String(input.datasetType)} is not supported: use Interactions, Users or Items.`
      )
    const fields = avroFields(schema.fields.schema as string) as string[]
    const missing = type.fields.filter((f) => !fields.includes(f))
    if (missing.length > 0) {
      return ERRORS.invalidInput(
        `The schema of a ${String(input.datasetType)} dataset must have the fields ${type.fields.join(', ')}; missing ${missing.join(', ')}.`
      )
    }
    const created = create(store, 'dataset', `${group.name}/${type.suffix}`, input.name as string, {
      datasetGroupArn: group.arn,
      schemaArn: schema.arn,
      datasetType: type.suffix
    })
    return created instanceof AwsError ? created : { datasetArn: created.arn }
  },
  DescribeDataset: (store, input) =>
    describe('dataset', store, store.get('dataset', input.datasetArn), 'datasetArn', input.datasetArn),
  ListDatasets: (store, input) => list('datasets', store, 'dataset', 'datasetArn', inGroup(input)),
  DeleteDataset: (store, input) => remove(store, 'dataset', input.datasetArn, () => false),

  CreateEventTracker: (store, input) => {
    const group = store.get('dataset-group', input.datasetGroupArn)
    if (!group) return notFound(input.datasetGroupArn)
    // One event tracker per dataset group (https://docs.aws.amazon.com/personalize/latest/dg/API_CreateEventTracker.html).
    if (store.list('event-tracker', inGroup(input)).length > 0) {
      return ERRORS.alreadyExists(`Dataset group ${group.arn} already has an event tracker.`)
    }
    const created = create(store, 'event-tracker', store.uuid().slice(0, 8), input.name as string, {
      datasetGroupArn: group.arn,
      trackingId: store.uuid(),
      accountId: store.account
    })
    return created instanceof AwsError
      ? created
      : { eventTrackerArn: created.arn, trackingId: created.fields.trackingId }
  },
  DescribeEventTracker: (store, input) =>
    describe(
      'eventTracker',
      store,
      store.get('event-tracker', input.eventTrackerArn),
      'eventTrackerArn',
      input.eventTrackerArn
    ),
  ListEventTrackers: (store, input) => list('eventTrackers', store, 'event-tracker', 'eventTrackerArn', inGroup(input)),
  DeleteEventTracker: (store, input) => remove(store, 'event-tracker', input.eventTrackerArn, () => false)
} satisfies Record<string, Operation>
