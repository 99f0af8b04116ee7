import type { InputField, JSONObject, JSONValue } from '@segment/actions-core'

type FieldValue = NonNullable<InputField['default']>

/** A default mapping that takes the first of these paths that exists in the event, as nested `@if` directives. */
export function firstOf(...paths: [string, ...string[]]): FieldValue {
  const [first, ...rest] = paths
  if (rest.length === 0) return { '@path': first }
  return {
    '@if': { exists: { '@path': first }, then: { '@path': first }, else: firstOf(...(rest as [string, ...string[]])) }
  }
}

/**
 * The value without undefined properties, at any depth (what actions-core's removeUndefined does; the Functions bundle
 * cannot use that one without carrying the whole framework along).
 */
export function removeUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(removeUndefined) as T
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value
  const entries = Object.entries(value).filter(([, v]) => v !== undefined)
  return Object.fromEntries(entries.map(([k, v]) => [k, removeUndefined(v)])) as T
}

/** Each field's default mapping, by field name (what actions-core's defaultValues gives, without the framework). */
export function defaultValues(fields: Record<string, InputField>): JSONObject {
  const mapping: JSONObject = {}
  // Defaults are JSON: mapping-kit directives are plain objects.
  for (const [name, field] of Object.entries(fields))
    if (field.default !== undefined) mapping[name] = field.default as JSONValue
  return mapping
}
