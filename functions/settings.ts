// The function's settings are the destination's (destination/settings.ts), as Segment's Functions settings: the
// same names, labels and descriptions; password fields become sensitive settings. Functions settings have no
// defaults or choices, so defaults are applied here and a missing required setting is a ValidationError that names it.
import type { Settings } from '../destination/generated-types'
import { endpointProblem } from '../destination/personalize/endpoints'
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

/**
 * The settings Segment passed, with the destination's defaults for the empty ones. A ValidationError names the first
 * setting that is missing though required, of the wrong type, not one of its choices, or not a URL where one is
 * expected: the function fails every event the same way until it is fixed, so it is said before anything is sent.
 */
export function settingsOf(raw: unknown): Settings {
  const given = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
  const settings: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(settingsFields)) {
    const value = given[name]
    const setting = `The ${field.label} setting (${name})`
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
      if (field.default !== undefined) settings[name] = field.default
      else if (field.required) throw new ValidationError(`${setting} is required: ${field.description}`)
      continue
    }
    if (field.type === 'boolean') {
      if (typeof value !== 'boolean')
        throw new ValidationError(`${setting} must be true or false, not ${typeof value}.`)
      settings[name] = value
      continue
    }
    if (typeof value !== 'string') throw new ValidationError(`${setting} must be text, not ${typeof value}.`)
    const text = value.trim()
    const choices = field.choices?.map((choice) => (typeof choice === 'string' ? choice : choice.value))
    if (choices && !choices.includes(text))
      throw new ValidationError(`${setting} is "${text}"; it must be one of ${choices.join(', ')}.`)
    if (field.format === 'uri' && !/^https?:\/\/[^/\s]+/i.test(text))
      throw new ValidationError(`${setting} is "${text}"; it must be an http:// or https:// URL.`)
    settings[name] = text
  }
  const refused = endpointProblem(settings as unknown as Settings)
  if (refused) throw new ValidationError(refused)
  return settings as unknown as Settings
}
