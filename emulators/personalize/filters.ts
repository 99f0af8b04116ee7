// Filters: a documented subset of Personalize's filter expressions
// (https://docs.aws.amazon.com/personalize/latest/dg/filter-expressions.html):
//   EXCLUDE|INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase", "click")
//   EXCLUDE|INCLUDE ItemID WHERE Items.<COLUMN> IN ("a", "b")   or   IN ($PARAM), values given in filterValues
// Several conditions joined with AND/OR, user filters (INCLUDE/EXCLUDE UserID) and comparison operators other
// than IN are not supported and are refused with InvalidInputException.
import { AwsError, ERRORS } from './protocol'
import type { Store } from './store'
import { camel } from './training'

export interface Filter {
  action: 'EXCLUDE' | 'INCLUDE'
  dataset: 'Interactions' | 'Items'
  column: string
  /** Literal values, or the name of a $parameter. */
  values: string[] | { parameter: string }
}

const EXPRESSION =
  /^\s*(EXCLUDE|INCLUDE)\s+ItemID\s+WHERE\s+(Interactions|Items)\.([A-Za-z0-9_]+)\s+IN\s*\(\s*(.*?)\s*\)\s*$/i

/** Quoted, comma-separated values: `"a", "b"` → ['a', 'b']. */
export function quotedValues(text: string): string[] | undefined {
  const values: string[] = []
  const pattern = /\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y
  let match: RegExpExecArray | null
  while (pattern.lastIndex < text.length && (match = pattern.exec(text))) values.push(match[1]!)
  return pattern.lastIndex >= text.length && values.length > 0 ? values : undefined
}

export function parseFilter(expression: string): Filter | string {
  const match = EXPRESSION.exec(expression)
  if (!match) {
    return 'The emulator supports filter expressions of the form EXCLUDE|INCLUDE ItemID WHERE Interactions.EVENT_TYPE|Items.<COLUMN> IN ("value", …) or IN ($PARAMETER).'
  }
  const [, action, dataset, column, list] = match as unknown as [string, string, string, string, string]
  const normalisedDataset = dataset.toLowerCase() === 'items' ? 'Items' : 'Interactions'
  if (normalisedDataset === 'Interactions' && column.toUpperCase() !== 'EVENT_TYPE')
    return 'Interactions filters support EVENT_TYPE only.'
  const parameter = /^\$([A-Za-z0-9_]+)$/.exec(list)
  const values = parameter ? { parameter: parameter[1]! } : quotedValues(list)
  if (!values) return `Cannot read the values ${list}: write them quoted and comma-separated, or as one $PARAMETER.`
  return {
    action: action.toUpperCase() as Filter['action'],
    dataset: normalisedDataset,
    column: column.toUpperCase(),
    values
  }
}

/**
 * The items a filter removes from a user's candidates (`all` is every item the model knows), or the error for a
 * missing parameter value.
 */
export function excludedItems(
  store: Store,
  filter: Filter,
  datasetGroupArn: string,
  userId: string | undefined,
  filterValues: Record<string, string> | undefined,
  all: string[]
): Set<string> | AwsError {
  let values: string[]
  if (Array.isArray(filter.values)) values = filter.values
  else {
    const given = filterValues?.[filter.values.parameter]
    const parsed = given === undefined ? undefined : quotedValues(given)
    if (!parsed)
      return ERRORS.invalidInput(
        `The filter needs a value for $${filter.values.parameter} in filterValues, quoted ("\\"value\\"").`
      )
    values = parsed
  }
  const wanted = new Set(values)
  const matching = new Set<string>()
  if (filter.dataset === 'Interactions') {
    const imported = store.imported.get(datasetGroupArn) ?? []
    for (const i of imported) if (i.userId === userId && i.eventType && wanted.has(i.eventType)) matching.add(i.itemId)
    for (const e of store.events.get(datasetGroupArn) ?? []) {
      if ((e.userId === userId || (!e.userId && e.sessionId === userId)) && e.itemId && wanted.has(e.eventType))
        matching.add(e.itemId)
    }
  } else {
    const items = store.list(
      'dataset',
      (d) => d.fields.datasetGroupArn === datasetGroupArn && d.fields.datasetType === 'ITEMS'
    )[0]
    const key = camel(filter.column)
    for (const [itemId, properties] of store.metadata.get(items?.arn ?? '') ?? []) {
      const value = properties ? (JSON.parse(properties) as Record<string, unknown>)[key] : undefined
      const text = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
      if (text?.split('|').some((v) => wanted.has(v))) matching.add(itemId)
    }
  }
  return filter.action === 'EXCLUDE' ? matching : new Set(all.filter((item) => !matching.has(item)))
}
