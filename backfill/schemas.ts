// The Avro schemas Personalize imports the backfill's CSVs with (CreateSchema). Interactions is the workshop's
// (exercise2/event_schema.avsc), with EVENT_VALUE when the history has values.
// https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html
export type AvroField = { name: string; type: string | string[]; categorical?: boolean; textual?: boolean }

function schema(name: string, fields: AvroField[]): string {
  return JSON.stringify(
    { type: 'record', name, namespace: 'com.amazonaws.personalize.schema', fields, version: '1.0' },
    null,
    2
  )
}

export function interactionsSchema(withValue: boolean): string {
  const fields: AvroField[] = [
    { name: 'USER_ID', type: 'string' },
    { name: 'ITEM_ID', type: 'string' },
    { name: 'EVENT_TYPE', type: 'string' },
    { name: 'TIMESTAMP', type: 'long' }
  ]
  if (withValue) fields.push({ name: 'EVENT_VALUE', type: 'float' })
  return schema('Interactions', fields)
}

export const ITEM_COLUMNS: AvroField[] = [
  { name: 'NAME', type: ['null', 'string'], textual: true },
  { name: 'CATEGORY', type: ['null', 'string'], categorical: true },
  { name: 'BRAND', type: ['null', 'string'], categorical: true },
  { name: 'PRICE', type: ['null', 'float'] }
]

export function itemsSchema(): string {
  return schema('Items', [{ name: 'ITEM_ID', type: 'string' }, ...ITEM_COLUMNS])
}

export function usersSchema(columns: Array<{ name: string; numeric: boolean }>): string {
  return schema('Users', [
    { name: 'USER_ID', type: 'string' },
    ...columns.map(({ name, numeric }) =>
      numeric ? { name, type: ['null', 'float'] } : { name, type: ['null', 'string'], categorical: true }
    )
  ])
}

/** A trait name as a Personalize column: upper snake case, letters, digits and _ ("Campaign Source" → CAMPAIGN_SOURCE). */
export function columnName(trait: string): string {
  const name = trait
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase()
  return /^[A-Z]/.test(name) ? name : `T_${name}`
}
