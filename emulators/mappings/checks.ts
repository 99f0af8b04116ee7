// The mapping editor's checks of what a user types, beside the framework's own: a trigger's FQL (what
// @segment/destination-subscriptions' parseFql silently drops), a path's syntax (what mapping-kit's @path reads) and a
// literal's type (what the field's definition asks for). subscriptions.ts runs them on every save, and the editor as
// the user types (POST /_local/mappings/check), so a problem is named where it was made.
import type { InputField } from '@segment/actions-core'

/** What a trigger can test, as parseFql reads them (anything else is dropped without a word). */
const TRIGGER_FIELDS = ['type', 'event', 'name', 'userId', 'properties', 'traits', 'context']
const FUNCTIONS = new Set(['contains', 'match'])
const FIELD_HINT = 'use type, event, name, userId, properties.<key>, traits.<key> or context.<key>'

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'cond'; text: 'and' | 'or' }
  | { kind: 'open' | 'close' | 'op' | 'other'; text: string }

/** FQL's tokens as @segment/fql-ts reads them, enough to check the structure parseFql assumes. */
function tokenize(trigger: string): Token[] | string {
  const tokens: Token[] = []
  let i = 0
  while (i < trigger.length) {
    const char = trigger[i]!
    if (/\s/.test(char)) {
      i++
    } else if (char === '"' || char === "'") {
      const end = trigger.indexOf(char, i + 1)
      if (end < 0) return `has a string that is never closed: add the closing ${char}`
      tokens.push({ kind: 'string', text: trigger.slice(i, end + 1) })
      i = end + 1
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: char === '(' ? 'open' : 'close', text: char })
      i++
    } else if (/[=!<>]/.test(char)) {
      const text = /^(!=|<=|>=|=|<|>|!)/.exec(trigger.slice(i))![0]
      tokens.push({ kind: 'op', text })
      i += text.length
    } else if (/[\w\\$.-]/.test(char)) {
      const text = /^(?:\\.|[\w$.-])+/.exec(trigger.slice(i))![0]
      // fql-ts reads "and" and "or" as conditionals only in lower case, as whole words.
      tokens.push(text === 'and' || text === 'or' ? { kind: 'cond', text } : { kind: 'word', text })
      i += text.length
    } else {
      tokens.push({ kind: 'other', text: char })
      i++
    }
  }
  return tokens
}

/**
 * What is wrong with a trigger's structure, one message per problem. parseFql accepts all of these and drops the part
 * it does not understand, so `type = "track" and` would match every track event: a trailing or doubled "and"/"or",
 * "and" and "or" mixed at one level (the parser applies the last one to the whole group), a stray ")", and a condition
 * on something it cannot test (`anonymousId = "x"`, `not …`).
 */
export function triggerProblems(trigger: string): string[] {
  const tokens = tokenize(trigger)
  if (typeof tokens === 'string') return [tokens]
  const problems: string[] = []
  // One frame per parenthesis level: what came last, and the conditionals used at that level.
  const levels: Array<{ last: 'start' | 'cond' | 'operand'; conds: Set<string> }> = [
    { last: 'start', conds: new Set() }
  ]
  const endLevel = (closing: boolean) => {
    const level = levels.pop()!
    if (level.last === 'cond')
      problems.push(
        closing
          ? `is missing a condition after the last "${[...level.conds].at(-1)}" before ")"`
          : `ends with "${[...level.conds].at(-1)}": add a condition after it, or remove it`
      )
    if (level.last === 'start' && closing) problems.push('has "()" with no condition inside')
    if (level.conds.size > 1)
      problems.push(
        'mixes "and" and "or" without parentheses, and the parser would apply one of them to every condition: group them, as in a and (b or c)'
      )
  }
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    const level = levels.at(-1)!
    if (token.kind === 'cond') {
      if (level.last !== 'operand')
        problems.push(
          level.last === 'cond'
            ? `has "${token.text}" right after "${[...level.conds].at(-1)}": a condition is missing between them`
            : `has "${token.text}" with no condition before it`
        )
      level.conds.add(token.text)
      level.last = 'cond'
    } else if (token.kind === 'open') {
      // The group is one operand of the level it is in.
      level.last = 'operand'
      levels.push({ last: 'start', conds: new Set() })
    } else if (token.kind === 'close') {
      if (levels.length === 1) {
        problems.push('has a ")" without its "("')
        continue
      }
      endLevel(true)
      levels.at(-1)!.last = 'operand'
    } else {
      // A condition's first token names what it tests, or a function (contains(…), match(…)) whose parentheses are
      // its own, or "!" before a function.
      if (level.last !== 'operand' && token.kind === 'word') {
        const head = token.text.split('.')[0]!
        if (FUNCTIONS.has(token.text) && tokens[i + 1]?.kind === 'open') {
          const close = tokens.findIndex((t, j) => j > i && t.kind === 'close')
          if (close < 0) problems.push(`has a ${token.text}( that is never closed`)
          i = close < 0 ? tokens.length : close
        } else if (!TRIGGER_FIELDS.includes(head))
          problems.push(`tests "${token.text}", which a trigger cannot test: ${FIELD_HINT}`)
      }
      if (!(token.kind === 'op' && token.text === '!')) level.last = 'operand'
    }
  }
  while (levels.length > 1) {
    levels.pop()
    problems.push('has a "(" that is never closed')
  }
  endLevel(false)
  return [...new Set(problems)]
}

// `$.` then parts separated by dots, each part possibly followed by [<index>] or ["<key>"]: what Segment's mapping UI
// writes and mapping-kit's get() reads.
const PATH = /^\$\.[^.[\]]+(?:\.[^.[\]]+|\[\d+\]|\[(["'])[^"']+\1\])*$/

/** What is wrong with a path (`$.properties.product_id`), or undefined when mapping-kit reads it as meant. */
export function pathProblem(path: string): string | undefined {
  if (path.trim() === '') return 'is empty: pick a path from the event or type one, such as $.properties.product_id'
  if (path !== path.trim()) return `"${path}" has spaces at its start or end`
  if (!path.startsWith('$.'))
    return `"${path}" must start with "$." (such as $.${path.replace(/^\$?\.?/, '') || 'properties.product_id'})`
  if (/\.\.|\.$|\.\[/.test(path)) return `"${path}" has an empty part (".." or a trailing ".")`
  if (!PATH.test(path)) return `"${path}" is not a path: write parts separated by dots, such as $.properties.product_id`
  return undefined
}

/** Whether a mapping value contains a directive anywhere (then it is not a literal). */
export function hasDirective(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasDirective)
  if (value === null || typeof value !== 'object') return false
  return Object.entries(value).some(([key, inner]) => key.startsWith('@') || hasDirective(inner))
}

/** Every path a mapping value reads: each @path's, and each @arrayPath's array path, at any depth. */
export function pathsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(pathsIn)
  if (value === null || typeof value !== 'object') return []
  const record = value as Record<string, unknown>
  const own = [record['@path'], Array.isArray(record['@arrayPath']) ? record['@arrayPath'][0] : undefined]
  return [...own.filter((path): path is string => typeof path === 'string'), ...Object.values(record).flatMap(pathsIn)]
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  text: 'text',
  password: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  datetime: 'a date-time (ISO 8601, such as 2026-10-04T12:20:00Z) or epoch seconds or milliseconds',
  object: 'an object'
}

function fitsType(value: unknown, type: string): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'integer':
      return Number.isInteger(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'datetime':
      return (typeof value === 'string' && !Number.isNaN(Date.parse(value))) || typeof value === 'number'
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value)
    default:
      return typeof value === 'string'
  }
}

/**
 * What is wrong with a literal (a value without directives) for a field, or undefined when it fits the field's type:
 * the framework would refuse it for every event (a number field given "abc"), so it is named before it is saved.
 */
export function literalProblem(value: unknown, field: InputField): string | undefined {
  if (value === null)
    return field.allowNull ? undefined : 'is null, which this field does not take: leave it unmapped instead'
  const values = field.multiple && Array.isArray(value) ? (value as unknown[]) : [value]
  if (!field.multiple && Array.isArray(value) && field.type !== 'object')
    return `is a list, but this field takes one value (${TYPE_NAMES[field.type] ?? field.type})`
  const wrong = values.find((one) => !fitsType(one, field.type))
  if (wrong === undefined) return undefined
  return `is ${JSON.stringify(wrong)}, but this field takes ${TYPE_NAMES[field.type] ?? field.type}${field.multiple ? ' (or a list of them)' : ''}`
}
