// The Functions build makes each action's payload with its own small code (mapping.ts); it must give what Segment's
// framework gives the action: mapping-kit's transform, then actions-core's removeEmptyValues and its ajv check with
// coercion, for every preset's mapping, on sample events and on fuzzed ones (nulls, empty values, wrong types).
import { transform } from '@segment/actions-core/mapping-kit'
import { fieldsToJsonSchema, validateSchema } from '@segment/actions-core'
import type { InputField } from '@segment/actions-core'
import path from 'node:path'
import { fields as identifyUser } from '../../destination/identifyUser/fields'
import { presets } from '../../destination/presets'
import type { ActionName } from '../../destination/presets'
import { fields as syncItems } from '../../destination/syncItems/fields'
import { fields as syncRecommendations } from '../../destination/syncRecommendations/fields'
import { fields as trackEvent } from '../../destination/trackEvent/fields'
import { payloadOf, resolve, schemaOf } from '../mapping'
import type { JsonValue } from '../mapping'
import { fuzzedEvents, SAMPLE_EVENTS } from './__helpers__/fuzz'

// Not among the package's exports; the framework's own file, by path.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { removeEmptyValues } = require(
  path.join(path.dirname(require.resolve('@segment/actions-core')), 'remove-empty-values.js')
) as { removeEmptyValues: (value: unknown, schema: object, isRoot?: boolean) => unknown }

const FIELDS: Record<ActionName, Record<string, InputField>> = {
  trackEvent,
  identifyUser,
  syncItems,
  syncRecommendations
}

const mappings = presets.flatMap((preset) =>
  'subscribe' in preset ? [[preset.name, preset.partnerAction as ActionName, preset.mapping as JsonValue] as const] : []
)

// Formats (the timestamp's date-like) are left to the actions' own parsers, which refuse what they cannot read.
function withoutFormats(schema: object): object {
  return JSON.parse(JSON.stringify(schema, (key, value: unknown) => (key === 'format' ? undefined : value))) as object
}

/** What the framework hands the action for an event, or 'invalid'. */
function framework(action: ActionName, mapping: JsonValue, event: Record<string, unknown>): unknown {
  const schema = withoutFormats(fieldsToJsonSchema(FIELDS[action]))
  const payload = removeEmptyValues(transform(mapping as Parameters<typeof transform>[0], event), schema, false)
  const checked = JSON.parse(JSON.stringify(payload)) as Record<string, unknown>
  const valid = validateSchema(checked, schema, {
    schemaKey: `functions-mapping-test:${action}`,
    throwIfInvalid: false
  })
  return valid ? checked : 'invalid'
}

function ours(action: ActionName, mapping: JsonValue, event: Record<string, unknown>): unknown {
  const made = payloadOf(mapping, event, schemaOf(FIELDS[action]))
  return 'problem' in made ? 'invalid' : JSON.parse(JSON.stringify(made.payload))
}

const events = fuzzedEvents().filter(
  (event): event is Record<string, unknown> =>
    event !== null &&
    typeof event === 'object' &&
    !Array.isArray(event) &&
    typeof (event as { type?: unknown }).type === 'string'
)

test.each(mappings)('%s: the mapping resolves as mapping-kit’s transform', (_, __, mapping) => {
  expect(mappings.length).toBeGreaterThan(5)
  for (const event of [...SAMPLE_EVENTS, ...events])
    expect(resolve(mapping, event)).toEqual(transform(mapping as Parameters<typeof transform>[0], event))
})

test.each(mappings)('%s: the same payloads (or refusals) as the framework', (_, action, mapping) => {
  let refused = 0
  for (const event of [...SAMPLE_EVENTS, ...events]) {
    const expected = framework(action, mapping, event)
    if (expected === 'invalid') refused++
    expect({ event, payload: ours(action, mapping, event) }).toEqual({ event, payload: expected })
  }
  // The fuzzed events do reach the refusals.
  expect(refused).toBeGreaterThan(0)
})

test('analytics.js’s "userId": null for an anonymous visitor: no userId, the session is the anonymous id', () => {
  const [, , mapping] = mappings.find(([name]) => name === 'Product Viewed')!
  const made = payloadOf(
    mapping,
    { ...SAMPLE_EVENTS[0], userId: null, context: { sessionId: null } },
    schemaOf(trackEvent)
  )
  expect(made).toEqual({ payload: expect.not.objectContaining({ userId: expect.anything() }) })
  expect(made).toEqual({ payload: expect.objectContaining({ sessionId: 'anon-1' }) })
})

test('a wrong type is refused with the field named', () => {
  const [, , mapping] = mappings.find(([name]) => name === 'Product Viewed')!
  const event = { ...SAMPLE_EVENTS[0], properties: { product_id: { id: 1 } } }
  expect(payloadOf(mapping, event, schemaOf(trackEvent))).toEqual({
    problem: 'itemId is an object; it must be a string'
  })
})
