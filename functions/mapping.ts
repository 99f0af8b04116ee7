// What the Actions framework does to an event before an action sees it, for the Functions build, which cannot carry
// the framework: Segment's mapping-kit `transform` for the directives the destination's default mappings use (@path,
// @if with exists, @arrayPath; anything else in a mapping is a literal), then the framework's removal of empty values
// (actions-core remove-empty-values.ts: a null where the field's type does not allow null is dropped, so analytics.js's
// `"userId": null` for an anonymous visitor is no userId), then its JSON-schema check with ajv's `coerceTypes: 'array'`
// (actions-core schema-validation.ts): a number where text is expected becomes text, "3" where a number is expected
// becomes 3, one value where a list is expected becomes a list of one, and what cannot be coerced makes the event
// invalid with a message naming the field, instead of a TypeError further on; so is an event without a required
// field. Tests compare all three steps with the framework's own code on sample and fuzzed events
// (__tests__/mapping.test.ts).
import type { InputField } from '@segment/actions-core'
import { fieldsToJsonSchema } from '@segment/actions-core/destination-kit/fields-to-jsonschema'

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
type Json = { [key: string]: JsonValue }

function isObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === '[object Object]'
}

/**
 * A `$.a.b[0]` path into an object, as mapping-kit's `get` reads it: a falsy value on the way (null, 0, '') is the
 * result, anything else missing is undefined.
 */
export function atPath(root: unknown, path: string): unknown {
  const steps = path.replace('$.', '').match(/[^.[\]'"]+/g) ?? []
  let value = root
  for (const step of steps) {
    if (!value) return value
    value = (value as Record<string, unknown>)[step]
  }
  return value
}

/** The value a mapping gives for an event (mapping-kit's `transform`, for our directives). */
export function resolve(mapping: JsonValue, data: unknown): unknown {
  return removeUndefined(resolveRaw(mapping, data))
}

function resolveRaw(mapping: JsonValue, data: unknown): unknown {
  if (Array.isArray(mapping)) return mapping.map((item) => resolveRaw(item, data))
  if (!isObject(mapping)) return mapping
  if ('@path' in mapping) return atPath(data, mapping['@path'] as string)
  if ('@if' in mapping) {
    const condition = mapping['@if'] as Json
    const value = resolveRaw(condition.exists!, data)
    const holds = value !== undefined && value !== null
    if (holds && condition.then !== undefined) return resolveRaw(condition.then, data)
    if (!holds && condition.else) return resolveRaw(condition.else, data)
    return undefined
  }
  if ('@arrayPath' in mapping) {
    const [path, shape] = mapping['@arrayPath'] as [string, JsonValue | undefined]
    const root = atPath(data, path)
    // mapping-kit maps an object as a list of one, and passes anything else through for the schema check to judge.
    if ((Array.isArray(root) || isObject(root)) && isObject(shape) && Object.keys(shape).length > 0)
      return (Array.isArray(root) ? root : [root]).map((item: unknown) => resolveRaw(shape, item))
    return root
  }
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(mapping)) result[key] = resolveRaw(value, data)
  return result
}

// actions-core remove-undefined.ts: undefined properties go, at any depth; arrays keep their length.
function removeUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(removeUndefined)
  if (!isObject(value)) return value
  const cleaned: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) if (item !== undefined) cleaned[key] = removeUndefined(item)
  return cleaned
}

/** The slice of JSON Schema that fieldsToJsonSchema produces for the destination's fields. */
export interface Schema {
  title?: string
  type?: string | string[]
  enum?: unknown[]
  items?: Schema
  properties?: Record<string, Schema>
  additionalProperties?: boolean
  required?: string[]
}

/** An action's fields as the framework's JSON schema. */
export function schemaOf(fields: Record<string, InputField>): Schema {
  return fieldsToJsonSchema(fields) as Schema
}

// actions-core remove-empty-values.ts, as performBatch runs it (`isRoot` false: the Functions build works in batches).
export function removeEmptyValues(value: unknown, schema: Schema = {}): unknown {
  if (!schema.type && !schema.enum) return value
  if (Array.isArray(value)) {
    if (!schema.items) return value
    return value.filter((item) => removeEmptyValues(item, schema.items) !== undefined)
  }
  if (isObject(value)) {
    if (!schema.properties) return value
    const cleaned: Record<string, unknown> = { ...value }
    for (const key of Object.keys(cleaned)) {
      cleaned[key] = removeEmptyValues(cleaned[key], schema.properties[key])
      if (cleaned[key] === undefined) delete cleaned[key]
    }
    return cleaned
  }
  const types = typesOf(schema)
  if (value === null && !types.includes('null')) return undefined
  if (value === '' && !types.includes('string')) return undefined
  return value
}

function typesOf(schema: Schema): string[] {
  return schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type]
}

function typeOfValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return isObject(value) ? 'object' : typeof value
}

function matches(value: unknown, type: string): boolean {
  if (type === 'integer') return typeof value === 'number' && Number.isInteger(value)
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value)
  return typeOfValue(value) === type
}

const NO_VALUE = Symbol('no coercion')

// ajv's coercion table (https://ajv.js.org/coercion.html), for the scalar types.
function coerceScalar(value: unknown, type: string): unknown {
  switch (type) {
    case 'string':
      if (typeof value === 'number' || typeof value === 'boolean') return String(value)
      if (value === null) return ''
      return NO_VALUE
    case 'number':
    case 'integer': {
      let n: number | undefined
      if (typeof value === 'boolean') n = value ? 1 : 0
      else if (value === null) n = 0
      else if (typeof value === 'string' && value !== '' && !Number.isNaN(Number(value))) n = Number(value)
      return n !== undefined && Number.isFinite(n) && (type === 'number' || Number.isInteger(n)) ? n : NO_VALUE
    }
    case 'boolean':
      if (value === 'true' || value === 1) return true
      if (value === 'false' || value === 0 || value === null) return false
      return NO_VALUE
    case 'null':
      return value === '' || value === 0 || value === false ? null : NO_VALUE
    default:
      return NO_VALUE
  }
}

/** The value coerced to the schema as ajv with `coerceTypes: 'array'` would, or a message naming what is wrong. */
export function coerce(value: unknown, schema: Schema, where: string): { value: unknown } | { problem: string } {
  const types = typesOf(schema)
  let current = value
  if (types.length > 0 && !types.some((type) => matches(current, type))) {
    let coerced: unknown = NO_VALUE
    // One value where a list is expected becomes a list of one, and a list of one scalar a scalar.
    if (types.includes('array') && !isObject(current) && !Array.isArray(current)) coerced = [current]
    else if (Array.isArray(current) && current.length === 1) {
      const item: unknown = current[0]
      // ajv keeps the item as it is only for a single type; for a union (the timestamp's string or number) it
      // always goes through the coercions (ajv's checkDataTypes joins the union's checks with `and`).
      if (types.length === 1 && matches(item, types[0]!)) coerced = item
      else
        for (const type of types) {
          coerced = coerceScalar(item, type)
          if (coerced !== NO_VALUE) break
        }
    } else
      for (const type of types) {
        coerced = coerceScalar(current, type)
        if (coerced !== NO_VALUE) break
      }
    if (coerced === NO_VALUE)
      return { problem: `${where} is ${describe(current)}; it must be ${types.map(article).join(' or ')}` }
    current = coerced
  }
  if (schema.enum && !schema.enum.includes(current))
    return { problem: `${where} is ${describe(current)}; it must be one of ${schema.enum.join(', ')}` }
  if (Array.isArray(current) && schema.items) {
    const items: unknown[] = []
    for (let i = 0; i < current.length; i++) {
      const item = coerce(current[i], schema.items, `${where}[${i}]`)
      if ('problem' in item) return item
      items.push(item.value)
    }
    current = items
  } else if (isObject(current) && schema.properties) {
    const object: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(current)) {
      const property = schema.properties[key]
      // ajv's removeAdditional: true drops what `additionalProperties: false` does not allow.
      if (!property) {
        if (schema.additionalProperties !== false) object[key] = item
        continue
      }
      const checked = coerce(item, property, `${where}.${key}`)
      if ('problem' in checked) return checked
      object[key] = checked.value
    }
    current = object
  }
  return { value: current }
}

function article(type: string): string {
  return type === 'array' ? 'a list' : type === 'object' ? 'an object' : type === 'integer' ? 'an integer' : `a ${type}`
}

function describe(value: unknown): string {
  const type = typeOfValue(value)
  if (type === 'object' || type === 'array') return `${article(type)}`
  return `${type} ${JSON.stringify(value)}`
}

/**
 * An action's payload for an event, as the framework would give it to the action's perform: the mapping resolved,
 * empty values removed, values coerced to the fields' types; or why the event cannot be sent.
 */
export function payloadOf(
  mapping: JsonValue,
  event: unknown,
  schema: Schema
): { payload: unknown } | { problem: string } {
  const cleaned = removeEmptyValues(resolve(mapping, event), schema)
  // actions-core arrify.ts arrifyFields: before the check, a top-level list field's single value becomes a list.
  if (isObject(cleaned) && schema.properties)
    for (const [key, value] of Object.entries(cleaned))
      if (schema.properties[key]?.type === 'array' && value !== null && !Array.isArray(value)) cleaned[key] = [value]
  const checked = coerce(cleaned, schema, 'the payload')
  if ('problem' in checked) return { problem: checked.problem.replace(/^the payload\./, '') }
  const payload = checked.value as Record<string, unknown>
  const missing = (schema.required ?? []).find((key) => payload[key] === undefined)
  if (missing !== undefined) {
    const label = schema.properties?.[missing]?.title ?? missing
    return { problem: `${missing} is missing: the event has nothing to map to ${label}, which is required` }
  }
  return { payload }
}
