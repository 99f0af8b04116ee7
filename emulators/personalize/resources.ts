// What every control-plane resource shares: creating under a unique ARN, Describe<Name> and List<Names> (one table,
// with the response keys AWS uses), and deleting unless another resource still uses it.
import { AwsError, ERRORS } from './protocol'
import type { Kind, Resource, Store } from './store'

export type Input = Record<string, unknown>
export type Result = Record<string, unknown> | AwsError
export type Operation = (store: Store, input: Input) => Result

export const notFound = (arn: unknown) => ERRORS.notFound(`Could not find resource with ARN ${String(arn)}`)
export const exists = (arn: string) => ERRORS.alreadyExists(`Resource with ARN ${arn} already exists.`)

export function create(
  store: Store,
  kind: Kind,
  path: string,
  name: string,
  fields: Record<string, unknown>
): Resource | AwsError {
  const arn = store.arn(kind, path)
  return store.resources.has(arn) ? exists(arn) : store.add(kind, arn, name, fields)
}

export function remove(store: Store, kind: Kind, arn: unknown, inUseBy: (r: Resource) => boolean): Result {
  const resource = store.get(kind, arn)
  if (!resource) return notFound(arn)
  const user = [...store.resources.values()].find(inUseBy)
  if (user) return ERRORS.inUse(`Cannot delete ${resource.arn}: it is used by ${user.arn}.`)
  store.resources.delete(resource.arn)
  return {}
}

/** A List* filter on a field of the resource, when the request names one (`ListDatasets{datasetGroupArn}`). */
export const where = (key: string) => (input: Input) => (r: Resource) =>
  input[key] === undefined || r.fields[key] === input[key]

interface Readable {
  kind: Kind
  /** The Describe response's key (`datasetGroup`), which also names the operation. */
  one: string
  /** The List response's key (`datasetGroups`; `Filters` for ListFilters, as AWS spells it). */
  many: string
  filter?: (input: Input) => (r: Resource) => boolean
  /** The summary's name key when AWS does not call it `name` (DatasetImportJobSummary.jobName). */
  nameKey?: string
}

const READABLE: Readable[] = [
  { kind: 'dataset-group', one: 'datasetGroup', many: 'datasetGroups' },
  { kind: 'schema', one: 'schema', many: 'schemas' },
  { kind: 'dataset', one: 'dataset', many: 'datasets', filter: where('datasetGroupArn') },
  { kind: 'event-tracker', one: 'eventTracker', many: 'eventTrackers', filter: where('datasetGroupArn') },
  {
    kind: 'dataset-import-job',
    one: 'datasetImportJob',
    many: 'datasetImportJobs',
    filter: where('datasetArn'),
    nameKey: 'jobName'
  },
  {
    kind: 'dataset-export-job',
    one: 'datasetExportJob',
    many: 'datasetExportJobs',
    filter: where('datasetArn'),
    nameKey: 'jobName'
  },
  { kind: 'solution', one: 'solution', many: 'solutions', filter: where('datasetGroupArn') },
  { kind: 'solution-version', one: 'solutionVersion', many: 'solutionVersions', filter: where('solutionArn') },
  {
    kind: 'campaign',
    one: 'campaign',
    many: 'campaigns',
    // A campaign names its solution version, whose ARN is the solution's plus a version id.
    filter: (input) => (r) =>
      input.solutionArn === undefined ||
      String(r.fields.solutionVersionArn).startsWith(`${input.solutionArn as string}/`)
  },
  { kind: 'filter', one: 'filter', many: 'Filters', filter: where('datasetGroupArn') }
]

const pascal = (key: string) => key[0]!.toUpperCase() + key.slice(1)

/** Describe<Name> and List<Names> for every resource kind. */
export function readOperations(): Record<string, Operation> {
  return Object.fromEntries(
    READABLE.flatMap(({ kind, one, many, filter, nameKey }) => {
      const arnKey = `${one}Arn`
      const describe: Operation = (store, input) => {
        const resource = store.get(kind, input[arnKey])
        if (!resource) return notFound(input[arnKey])
        return { [one]: { ...store.summary(resource), [arnKey]: resource.arn, ...resource.fields } }
      }
      const list: Operation = (store, input) => ({
        [many]: store.list(kind, filter?.(input)).map((r) => {
          const { name, ...summary } = store.summary(r)
          return { ...summary, [nameKey ?? 'name']: name, [arnKey]: r.arn }
        })
      })
      return [
        [`Describe${pascal(one)}`, describe],
        [`List${pascal(many)}`, list]
      ]
    })
  )
}
