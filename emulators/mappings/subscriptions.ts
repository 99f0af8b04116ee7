// The local destination's active subscriptions, kept as Segment keeps a destination's mappings: the presets until they
// are edited, then what was saved (<dataDir>/subscriptions.json). A list is checked against the destination's own
// definition before it is kept, so delivery never meets a subscription the framework would throw on.
// https://segment.com/docs/connections/destinations/actions/#customize-mappings
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync
} from 'node:fs'
import path from 'node:path'
import { transform, type InputField, type JSONObject } from '@segment/actions-core'
import { parseFql } from '@segment/destination-subscriptions'
import definition from '../../destination'
import type { ActionName } from '../../destination/presets'
import { defaultSubscriptions, type Subscription } from '../segment/delivery'
import { hasDirective, literalProblem, pathProblem, pathsIn, triggerProblems } from './checks'

/** One thing wrong with one subscription of a list. */
export interface SubscriptionProblem {
  /** The subscription's position in the list (0-based), and its name when it has one. */
  index: number
  name?: string
  /** The rule it breaks (RULES). */
  rule: string
  /** The mapped field it is about, when it is about one (the editor shows it beside that field). */
  field?: string
  message: string
}

/** A subscriptions file that cannot be used: not JSON, not the expected shape, or a subscription breaks a rule. */
export class SubscriptionsFileError extends Error {
  override name = 'SubscriptionsFileError'
}

export const ACTION_NAMES = Object.keys(definition.actions) as ActionName[]

/** An action's fields, or undefined when the destination has no such action. */
export function fieldsOf(action: unknown): Record<string, InputField> | undefined {
  if (typeof action !== 'string' || !Object.hasOwn(definition.actions, action)) return undefined
  return definition.actions[action]!.fields
}

type Candidate = Record<string, unknown>

// A plain object from any realm (JSON.parse's, structuredClone's): its prototype is an Object.prototype, or none.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const prototype = Object.getPrototypeOf(value) as object | null
  return prototype === null || Object.getPrototypeOf(prototype) === null
}

/** Whether a value is JSON: what a subscriptions file and Segment's API can carry. */
function isJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every(isJson)
  return isPlainObject(value) && Object.values(value).every(isJson)
}

const mappingOf = (candidate: Candidate): Record<string, unknown> =>
  isPlainObject(candidate.mapping) ? candidate.mapping : {}

const EXAMPLE_TRIGGER = 'type = "track" and event = "Product Viewed"'

/** The values of a parsed trigger's conditions, at any depth. */
function valuesOf(condition: unknown): unknown[] {
  if (!isPlainObject(condition)) return []
  if (Array.isArray(condition.children)) return condition.children.flatMap(valuesOf)
  return [condition.value]
}

/** A problem's message, and the mapped field it is about. */
type Found = string | { field: string; message: string }

interface Rule {
  rule: string
  /** What is wrong with a subscription under this rule, one message per problem; none when it holds. */
  problems: (subscription: Candidate, list: Candidate[]) => Found[]
}

/** The mapping's entries whose values are JSON (the others are the "JSON values" rule's). */
const jsonEntries = (s: Candidate): Array<[string, unknown]> =>
  Object.entries(mappingOf(s)).filter(([, value]) => isJson(value))

/**
 * What a subscription must be for delivery to run it: the same checks Segment's mapping UI makes before it saves
 * (a known action, a trigger that parses, only that action's fields, required fields mapped, valid directives).
 */
export const RULES: Rule[] = [
  {
    rule: 'name',
    problems: (s, list) => {
      if (typeof s.name !== 'string' || s.name.trim() === '') return ['needs a name']
      const uses = list.filter((other) => isPlainObject(other) && other.name === s.name).length
      return uses > 1 ? [`the name "${s.name}" is used by ${uses} subscriptions: names must be unique`] : []
    }
  },
  {
    rule: 'enabled',
    problems: (s) => (typeof s.enabled === 'boolean' ? [] : ['"enabled" must be true or false'])
  },
  {
    rule: 'partnerAction',
    problems: (s) =>
      fieldsOf(s.partnerAction)
        ? []
        : [
            `"partnerAction" must be one of ${ACTION_NAMES.join(', ')}, not ${JSON.stringify(s.partnerAction) ?? 'none'}`
          ]
  },
  {
    rule: 'subscribe',
    problems: (s) => {
      if (typeof s.subscribe !== 'string' || s.subscribe.trim() === '')
        return [`"subscribe" needs a trigger in FQL, such as ${EXAMPLE_TRIGGER}`]
      const trigger = s.subscribe
      // What the parser silently drops (a trailing "and", a stray ")", an unknown field), checked first.
      const structure = triggerProblems(trigger)
      if (structure.length > 0) return structure.map((problem) => `the trigger ${trigger} ${problem}`)
      const parsed = parseFql(trigger)
      // The parser's own errors say nothing useful ("Cannot read properties of undefined"), so the message is ours.
      if ('error' in parsed)
        return [`the trigger ${s.subscribe} is not valid FQL: write conditions such as ${EXAMPLE_TRIGGER}`]
      // A condition with nothing after its operator parses, with the end-of-input token as its value.
      return valuesOf(parsed).includes('eos') && !s.subscribe.includes('"eos"')
        ? [`the trigger ${s.subscribe} has a condition without a value: write conditions such as ${EXAMPLE_TRIGGER}`]
        : []
    }
  },
  {
    rule: 'mapping',
    problems: (s) => (isPlainObject(s.mapping) ? [] : ['"mapping" must be an object of field → value'])
  },
  {
    rule: 'mapping fields',
    problems: (s) => {
      const fields = fieldsOf(s.partnerAction)
      if (!fields) return []
      return Object.keys(mappingOf(s))
        .filter((key) => !Object.hasOwn(fields, key))
        .map((key) => ({
          field: key,
          message: `"${key}" is not a field of ${String(s.partnerAction)} (its fields: ${Object.keys(fields).join(', ')})`
        }))
    }
  },
  {
    rule: 'required fields',
    problems: (s) => {
      const fields = fieldsOf(s.partnerAction)
      if (!fields || !isPlainObject(s.mapping)) return []
      return Object.entries(fields)
        .filter(([key, field]) => field.required === true && !Object.hasOwn(mappingOf(s), key))
        .map(([key, field]) => ({ field: key, message: `the required field "${key}" (${field.label}) is not mapped` }))
    }
  },
  {
    rule: 'JSON values',
    problems: (s) =>
      Object.entries(mappingOf(s))
        .filter(([, value]) => !isJson(value))
        .map(([key]) => ({ field: key, message: `the value of "${key}" is not JSON` }))
  },
  {
    // mapping-kit reads any string as a path; one that cannot name a value of the event maps nothing, silently.
    rule: 'paths',
    problems: (s) =>
      jsonEntries(s).flatMap(([key, value]) =>
        pathsIn(value).flatMap((path) => {
          const problem = pathProblem(path)
          return problem ? [{ field: key, message: `the path of "${key}" ${problem}` }] : []
        })
      )
  },
  {
    // A literal the field's type cannot take would fail every event the subscription maps.
    rule: 'literal types',
    problems: (s) => {
      const fields = fieldsOf(s.partnerAction)
      if (!fields) return []
      return jsonEntries(s).flatMap(([key, value]) => {
        const field = Object.hasOwn(fields, key) ? fields[key] : undefined
        const problem = field && !hasDirective(value) ? literalProblem(value, field) : undefined
        return problem ? [{ field: key, message: `the value of "${key}" (${field!.label}) ${problem}` }] : []
      })
    }
  },
  {
    // The framework checks a mapping's directives when it maps an event (mapping-kit's validate), and throws for the
    // whole batch; checked here, the mistake is named before it is saved.
    rule: 'directives',
    problems: (s) =>
      // Field by field, so that each problem names its field.
      jsonEntries(s).flatMap(([key, value]) => {
        try {
          transform({ [key]: value } as JSONObject, {})
          return []
        } catch (error) {
          // One ValidationError, or an AggregateError of them (one per directive).
          const errors = Symbol.iterator in (error as object) ? [...(error as Iterable<Error>)] : [error as Error]
          return errors.map((one) => ({ field: key, message: `a mapping directive is not valid: ${one.message}` }))
        }
      })
  }
]

/** The list as subscriptions, or every problem found in it. */
export function checkSubscriptions(
  list: unknown
): { ok: true; subscriptions: Subscription[] } | { ok: false; problems: SubscriptionProblem[] } {
  if (!Array.isArray(list))
    return { ok: false, problems: [{ index: -1, rule: 'list', message: 'subscriptions must be a JSON array' }] }
  const problems: SubscriptionProblem[] = []
  list.forEach((candidate: unknown, index) => {
    if (!isPlainObject(candidate)) {
      problems.push({ index, rule: 'object', message: 'a subscription must be a JSON object' })
      return
    }
    const name = typeof candidate.name === 'string' ? candidate.name : undefined
    for (const { rule, problems: of } of RULES)
      for (const found of of(candidate, list as Candidate[]))
        problems.push(
          typeof found === 'string' ? { index, name, rule, message: found } : { index, name, rule, ...found }
        )
  })
  if (problems.length > 0) return { ok: false, problems }
  // Only the known keys are kept: the file holds what delivery uses, nothing else.
  const subscriptions = (list as Subscription[]).map(({ name, subscribe, partnerAction, mapping, enabled }) => ({
    name,
    subscribe,
    partnerAction,
    mapping: structuredClone(mapping),
    enabled
  }))
  return { ok: true, subscriptions }
}

/** A problem as one line, for a message: `#2 "Product Viewed": …`. */
export const describeProblem = (problem: SubscriptionProblem): string =>
  `${problem.index < 0 ? '' : `#${problem.index + 1}${problem.name ? ` "${problem.name}"` : ''}: `}${problem.message}`

export interface SubscriptionStoreOptions {
  /** Where saved subscriptions are kept (`{"subscriptions": […]}`); in memory only without it. */
  file?: string
  /** What the store holds until something is saved, and after reset (default: the destination's presets). */
  defaults?: () => Subscription[]
}

export type SubscriptionStore = ReturnType<typeof createSubscriptionStore>

export function createSubscriptionStore(options: SubscriptionStoreOptions = {}) {
  const { file } = options
  const defaults = options.defaults ?? defaultSubscriptions
  let saved: Subscription[] | undefined = file && existsSync(file) ? load(file) : undefined

  return {
    file,
    /** The active subscriptions: what was saved, else the defaults. */
    list: (): Subscription[] => saved ?? defaults(),
    /** Whether the subscriptions were edited (false: they are the defaults). */
    get customized(): boolean {
      return saved !== undefined
    },
    /** Checks and saves a new list (on disk before it is active); returns the problems instead when it has any. */
    replace(list: unknown): SubscriptionProblem[] {
      const checked = checkSubscriptions(list)
      if (!checked.ok) return checked.problems
      if (file) save(file, checked.subscriptions)
      saved = checked.subscriptions
      return []
    },
    /** Back to the defaults: the saved file is removed, so later presets are followed again. */
    reset(): void {
      if (file) rmSync(file, { force: true })
      saved = undefined
    }
  }
}

function load(file: string): Subscription[] {
  let content: unknown
  try {
    content = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new SubscriptionsFileError(`The subscriptions file ${file} cannot be read: ${(error as Error).message}`)
  }
  if (!isPlainObject(content) || !Array.isArray(content.subscriptions))
    throw new SubscriptionsFileError(`The subscriptions file ${file} must be {"subscriptions": […]}.`)
  const checked = checkSubscriptions(content.subscriptions)
  if (!checked.ok)
    throw new SubscriptionsFileError(
      `The subscriptions file ${file} has problems (fix them, or delete the file to go back to the presets):\n` +
        checked.problems.map(describeProblem).join('\n')
    )
  return checked.subscriptions
}

/** Written to a temporary file, flushed, then renamed over the old one: a crash leaves the old file or the new one. */
function save(file: string, subscriptions: Subscription[]): void {
  mkdirSync(path.dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  const fd = openSync(temporary, 'w')
  try {
    writeSync(fd, `${JSON.stringify({ subscriptions }, null, 2)}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temporary, file)
}
