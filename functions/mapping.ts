// Segment's mapping-kit, for the directives the destination's default mappings use (@path, @if with exists, and
// @arrayPath), so that the Functions build maps each event exactly as the Actions destination's presets do without
// carrying the framework (a test compares the two on sample events: __tests__/mapping.test.ts). Anything else in a
// mapping is a literal.
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
type Json = { [key: string]: JsonValue }

/** A `$.a.b[0]` path into an object; undefined where it leads nowhere. */
export function atPath(root: unknown, path: string): unknown {
  const steps = path.replace(/^\$\.?/, '').match(/[^.[\]]+/g) ?? []
  let value = root
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[step]
  }
  return value
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The value a mapping gives for an event (mapping-kit's `transform`, for our directives). */
export function resolve(mapping: JsonValue, data: unknown): unknown {
  if (Array.isArray(mapping)) return mapping.map((item) => resolve(item, data))
  if (!isObject(mapping)) return mapping
  if ('@path' in mapping) return atPath(data, mapping['@path'] as string)
  if ('@if' in mapping) {
    const condition = mapping['@if'] as Json
    const holds = resolve(condition.exists!, data) !== undefined
    return resolve((holds ? condition.then : condition.else) ?? null, data) ?? undefined
  }
  if ('@arrayPath' in mapping) {
    const [path, shape] = mapping['@arrayPath'] as [string, JsonValue | undefined]
    const items = atPath(data, path)
    if (!Array.isArray(items)) return undefined
    return shape === undefined ? items : items.map((item) => resolve(shape, item))
  }
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(mapping)) {
    const resolved = resolve(value, data)
    if (resolved !== undefined) result[key] = resolved
  }
  return result
}
