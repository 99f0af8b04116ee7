// Lints the definition the way Segment's `./bin/run validate` does (packages/cli/src/commands/validate.ts in
// segmentio/action-destinations), so the destination can be contributed there as it is.
import { parseFql } from '@segment/destination-subscriptions'
import type { InputField, GlobalSetting } from '@segment/actions-core'
import destination from '..'

/** parseFql's error, if the expression does not parse. */
function fqlError(expression: string): unknown {
  const parsed = parseFql(expression)
  return 'error' in parsed ? parsed.error : undefined
}

const settings = Object.entries(destination.authentication?.fields ?? {})
const actions = Object.entries(destination.actions)

function fieldsDeep(fields: Record<string, InputField>, prefix = ''): Array<[string, InputField]> {
  return Object.entries(fields).flatMap(([key, field]) => [
    [`${prefix}${key}`, field] as [string, InputField],
    ...(field.properties ? fieldsDeep(field.properties as Record<string, InputField>, `${prefix}${key}.`) : [])
  ])
}

describe('settings', () => {
  test.each(settings)('%s has a label and a description', (_key, field: GlobalSetting) => {
    expect(field.label.trim()).not.toBe('')
    expect(field.description.trim().length).toBeGreaterThan(10)
  })

  test.each(settings.filter(([key]) => /key|token|secret|password|code|externalid/i.test(key)))(
    'secret %s is a password field',
    (_key, field) => {
      expect(field.type).toBe('password')
    }
  )
})

describe.each(actions)('action %s', (_slug, action) => {
  test('has a title and a description', () => {
    expect(action.title.trim()).not.toBe('')
    expect(action.description.trim().length).toBeGreaterThan(10)
  })

  test.each(fieldsDeep(action.fields))('field %s has a label and a description', (_key, field) => {
    expect(field.label.trim()).not.toBe('')
    expect(field.description?.trim().length ?? 0).toBeGreaterThan(10)
  })

  test('its default subscription parses', () => {
    expect(fqlError(action.defaultSubscription ?? '')).toBeUndefined()
  })

  test('has no batch_keys: performBatch groups by session and user itself, so one batch serves every user', () => {
    // Segment splits a batch by the values of batch_keys' fields; a key on userId would make a batch per user.
    expect(action.fields).not.toHaveProperty('batch_keys')
  })

  test('batch_size is bounded when performBatch exists', () => {
    if (!action.performBatch) return
    expect(action.fields.batch_size).toMatchObject({ minimum: expect.any(Number), maximum: expect.any(Number) })
  })
})

describe.each((destination.presets ?? []).map((p) => [p.name, p] as const))('preset %s', (_name, preset) => {
  test('points at a real action and real fields, and its subscription parses', () => {
    expect(preset.type).toBe('automatic')
    if (preset.type !== 'automatic') return
    const action = destination.actions[preset.partnerAction]
    expect(action).toBeDefined()
    for (const key of Object.keys(preset.mapping ?? {})) expect(Object.keys(action!.fields)).toContain(key)
    expect(fqlError(preset.subscribe)).toBeUndefined()
  })
})

test('the destination is named as Segment names Actions destinations', () => {
  expect(destination.name).toMatch(/\(Actions\)$/)
  expect(destination.slug).toMatch(/^actions-/)
  expect(destination.mode).toBe('cloud')
})
