// metadata.json is what Segment's `./bin/run generate:metadata-payload` writes for this destination, and Segment's CI
// (scripts/assert-metadata-payload.sh) fails when it is stale. Generating it needs that repository (`npm run
// segment-check -- <checkout> --update-metadata`, docs/contributing-to-segment.md); this test catches a definition that
// moved on without it: every setting, action, field and preset the file lists, with the texts and defaults it gives.
import type { GlobalSetting, InputField } from '@segment/actions-core'
import destination from '..'
import metadata from '../metadata.json'

interface MetadataField {
  label?: string
  description?: string
  type: string
  default: unknown
}

const describeField = (field: InputField | GlobalSetting) => ({
  label: field.label,
  description: field.description,
  type: field.type,
  default: field.default ?? null
})
const fromMetadata = (field: MetadataField) => ({
  label: field.label,
  description: field.description,
  type: field.type,
  default: field.default
})
const mapValues = <T, U>(record: Record<string, T>, f: (value: T) => U): Record<string, U> =>
  Object.keys(record).reduce<Record<string, U>>((result, key) => {
    result[key] = f(record[key] as T)
    return result
  }, {})

test('names the destination as its definition does', () => {
  expect([metadata.slug, metadata.name, metadata.mode, metadata.description]).toEqual([
    destination.slug,
    destination.name,
    destination.mode,
    destination.description
  ])
})

test('lists the settings of the definition', () => {
  const fields = destination.authentication?.fields ?? {}
  expect(mapValues(metadata.authentication.fields as Record<string, MetadataField>, fromMetadata)).toEqual(
    mapValues(fields, describeField)
  )
})

test('lists the actions and their fields of the definition', () => {
  const actions = metadata.actions as Record<
    string,
    { title: string; description: string; defaultSubscription: string | null; fields: Record<string, MetadataField> }
  >
  expect(Object.keys(actions).sort()).toEqual(Object.keys(destination.actions).sort())
  for (const [slug, action] of Object.entries(destination.actions)) {
    const listed = actions[slug]!
    expect([slug, listed.title, listed.description, listed.defaultSubscription]).toEqual([
      slug,
      action.title,
      action.description,
      action.defaultSubscription ?? null
    ])
    // The generator adds enable_batching to actions with performBatch when the action does not declare it.
    const declared = (key: string) => key !== 'enable_batching' || 'enable_batching' in action.fields
    expect(Object.keys(listed.fields).filter(declared)).toEqual(Object.keys(action.fields))
    expect(mapValues(listed.fields, fromMetadata)).toMatchObject(mapValues(action.fields, describeField))
  }
})

test('lists the presets of the definition', () => {
  const presets = (destination.presets ?? []).map((preset) => ({
    name: preset.name,
    partnerAction: preset.partnerAction,
    subscribe: 'subscribe' in preset ? preset.subscribe : undefined,
    mapping: preset.mapping
  }))
  expect(
    metadata.presets.map((preset) => ({
      name: preset.name,
      partnerAction: preset.partnerAction,
      subscribe: preset.subscribe,
      mapping: preset.mapping
    }))
  ).toEqual(presets)
})
