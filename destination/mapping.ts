import type { InputField } from '@segment/actions-core'

type FieldValue = NonNullable<InputField['default']>

/** A default mapping that takes the first of these paths that exists in the event, as nested `@if` directives. */
export function firstOf(...paths: [string, ...string[]]): FieldValue {
  const [first, ...rest] = paths
  if (rest.length === 0) return { '@path': first }
  return {
    '@if': { exists: { '@path': first }, then: { '@path': first }, else: firstOf(...(rest as [string, ...string[]])) }
  }
}
