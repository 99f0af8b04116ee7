// The function's settings are the destination's (destination/settings.ts), as Segment's Functions settings: the
// same names, labels and descriptions; password fields become sensitive settings. Functions settings have no
// defaults or choices, so defaults are applied here and a missing required setting is a ValidationError that names it.
import type { Settings } from '../destination/generated-types'
import { settingsFields } from '../destination/settings'
import type { FunctionSetting } from './deploy'

export const FUNCTION_SETTINGS: FunctionSetting[] = Object.entries(settingsFields).map(([name, field]) => ({
  name,
  label: field.label,
  description: field.choices
    ? `${field.description} One of: ${field.choices.map((choice) => (typeof choice === 'string' ? choice : choice.value)).join(', ')}.`
    : field.description,
  type: field.type === 'boolean' ? 'BOOLEAN' : 'STRING',
  required: field.required === true,
  sensitive: field.type === 'password'
}))

/** The settings Segment passed, with the destination's defaults for the empty ones; throws for a missing required one. */
export function settingsOf(raw: unknown): Settings {
  const given = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
  const settings: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(settingsFields)) {
    const value = given[name]
    const empty = value === undefined || value === null || value === ''
    if (!empty) settings[name] = typeof value === 'string' ? value.trim() : value
    else if (field.default !== undefined) settings[name] = field.default
    else if (field.required)
      throw new ValidationError(`The ${field.label} setting (${name}) is required: ${field.description}`)
  }
  return settings as unknown as Settings
}
