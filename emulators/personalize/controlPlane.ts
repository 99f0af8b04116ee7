// The control plane (awsJson1_1, `X-Amz-Target: AmazonPersonalize.<Op>`): creating and deleting dataset groups,
// schemas, datasets, event trackers, solutions, campaigns and filters (imports and training are in training.ts,
// exports in exports.ts, Describe* and List* in resources.ts).
import { AwsError, ERRORS } from './protocol'
import { CONTROL_SHAPES } from './shapes'
import { parseFilter } from './filters'
import { trainingOperations } from './training'
import { exportOperations } from './exports'
import { create, notFound, readOperations, remove, where, type Operation } from './resources'
import { recipeOperations } from './recipes'
import { recommenderOperations } from './recommenders'
import { tagOperations } from './tags'

export type ControlOperation = keyof typeof CONTROL_SHAPES

// The fields each dataset type's schema must have; a Domain dataset group's Interactions also need EVENT_TYPE
// (https://docs.aws.amazon.com/personalize/latest/dg/ECOMMERCE-datasets-and-schemas.html).
const DATASET_TYPES: Record<string, { suffix: string; fields: string[] }> = {
  interactions: { suffix: 'INTERACTIONS', fields: ['USER_ID', 'ITEM_ID', 'TIMESTAMP'] },
  users: { suffix: 'USERS', fields: ['USER_ID'] },
  items: { suffix: 'ITEMS', fields: ['ITEM_ID'] }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** Avro record fields, or why the schema is not one Personalize accepts (any JSON: `null`, `fields: [null]`…). */
export function avroFields(schema: string): string[] | string {
  let parsed: unknown
  try {
    parsed = JSON.parse(schema)
  } catch {
    return 'Invalid schema: it is not JSON'
  }
  if (!isObject(parsed) || parsed.type !== 'record' || typeof parsed.name !== 'string' || !Array.isArray(parsed.fields))
    return 'Invalid Avro schema: the top level must be a record with a name and fields'
  const fields: unknown[] = parsed.fields
  if (!fields.every((field) => isObject(field) && typeof field.name === 'string' && field.type !== undefined))
    return 'Invalid Avro schema: every field needs a name and a type'
  return fields.map((field) => (field as { name: string }).name)
}

/** Every control-plane operation the emulator serves, by name (a test checks each has a shape and vice versa). */
export function controlOperations(s3Root: string): Record<string, Operation> {
  return {
    ...readOperations(),
    ...WRITES,
    ...trainingOperations(s3Root),
    ...exportOperations(s3Root),
    ...tagOperations(),
    ...recipeOperations(),
    ...recommenderOperations()
  }
}

const WRITES: Record<string, Operation> = {
  CreateDatasetGroup: (store, input) => {
    const name = input.name as string
    const { roleArn, kmsKeyArn, domain } = input
    const created = create(store, 'dataset-group', name, name, { roleArn, kmsKeyArn, domain }, input.tags)
    return created instanceof AwsError ? created : { datasetGroupArn: created.arn, ...(domain ? { domain } : {}) }
  },
  DeleteDatasetGroup: (store, input) =>
    remove(store, 'dataset-group', input.datasetGroupArn, (r) => r.fields.datasetGroupArn === input.datasetGroupArn),

  CreateSchema: (store, input) => {
    const fields = avroFields(input.schema as string)
    if (typeof fields === 'string') return ERRORS.invalidInput(fields)
    const created = create(store, 'schema', input.name as string, input.name as string, {
      schema: input.schema,
      domain: input.domain
    })
    return created instanceof AwsError ? created : { schemaArn: created.arn }
  },
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
    // A Domain dataset group takes schemas of its domain only (CreateDataset's schemaArn documentation).
    if (group.fields.domain !== schema.fields.domain)
      return ERRORS.invalidInput(
        `The schema ${schema.arn} is for ${(schema.fields.domain as string | undefined) ?? 'no domain'}; the dataset group ${group.arn} needs one for ${(group.fields.domain as string | undefined) ?? 'no domain'}.`
      )
    const fields = avroFields(schema.fields.schema as string) as string[]
    const required = [...type.fields, ...(group.fields.domain && type.suffix === 'INTERACTIONS' ? ['EVENT_TYPE'] : [])]
    const missing = required.filter((f) => !fields.includes(f))
    if (missing.length > 0) {
      return ERRORS.invalidInput(
        `The schema of a ${String(input.datasetType)} dataset must have the fields ${required.join(', ')}; missing ${missing.join(', ')}.`
      )
    }
    const created = create(
      store,
      'dataset',
      `${group.name}/${type.suffix}`,
      input.name as string,
      { datasetGroupArn: group.arn, schemaArn: schema.arn, datasetType: type.suffix },
      input.tags
    )
    return created instanceof AwsError ? created : { datasetArn: created.arn }
  },
  DeleteDataset: (store, input) => remove(store, 'dataset', input.datasetArn, () => false),

  CreateEventTracker: (store, input) => {
    const group = store.get('dataset-group', input.datasetGroupArn)
    if (!group) return notFound(input.datasetGroupArn)
    // One event tracker per dataset group (https://docs.aws.amazon.com/personalize/latest/dg/API_CreateEventTracker.html).
    if (store.list('event-tracker', where('datasetGroupArn')(input)).length > 0) {
      return ERRORS.alreadyExists(`Dataset group ${group.arn} already has an event tracker.`)
    }
    const created = create(
      store,
      'event-tracker',
      store.uuid().slice(0, 8),
      input.name as string,
      { datasetGroupArn: group.arn, trackingId: store.uuid(), accountId: store.account },
      input.tags
    )
    return created instanceof AwsError
      ? created
      : { eventTrackerArn: created.arn, trackingId: created.fields.trackingId }
  },
  DeleteEventTracker: (store, input) => remove(store, 'event-tracker', input.eventTrackerArn, () => false),

  // DeleteSolution deletes the solution's versions too; a version a campaign uses keeps it.
  // https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteSolution.html
  DeleteSolution: (store, input) => {
    const result = remove(
      store,
      'solution',
      input.solutionArn,
      (r) =>
        r.kind === 'solution-version' &&
        r.fields.solutionArn === input.solutionArn &&
        [...store.resources.values()].some((c) => c.kind === 'campaign' && c.fields.solutionVersionArn === r.arn)
    )
    if (!(result instanceof AwsError))
      for (const r of [...store.resources.values()])
        if (r.kind === 'solution-version' && r.fields.solutionArn === input.solutionArn) store.remove(r.arn)
    return result
  },
  DeleteCampaign: (store, input) => remove(store, 'campaign', input.campaignArn, () => false),
  CreateFilter: (store, input) => {
    const group = store.get('dataset-group', input.datasetGroupArn)
    if (!group) return notFound(input.datasetGroupArn)
    const parsed = parseFilter(input.filterExpression as string)
    if (typeof parsed === 'string') return ERRORS.invalidInput(parsed)
    const created = create(
      store,
      'filter',
      input.name as string,
      input.name as string,
      { datasetGroupArn: group.arn, filterExpression: input.filterExpression },
      input.tags
    )
    return created instanceof AwsError ? created : { filterArn: created.arn }
  },
  DeleteFilter: (store, input) => remove(store, 'filter', input.filterArn, () => false)
}
