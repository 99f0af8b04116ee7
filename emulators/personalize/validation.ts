// Request validation as data, with AWS's own wording. Personalize (a Coral service) reports every broken
// constraint of a request at once:
//   "2 validation errors detected: Value null at 'sessionId' failed to satisfy constraint: Member must not be null;
//    Value '…' at 'eventList.1.member.itemId' failed to satisfy constraint: Member must have length less than or
//    equal to 256"
// List members are numbered from 1 and named `<list>.<n>.member`; map entries `<map>.<key>` (dynalite's
// validations/index.js reproduces the same engine for DynamoDB).

export type Shape =
  | { type: 'string'; required?: boolean; min?: number; max?: number; pattern?: RegExp }
  | { type: 'integer' | 'float'; required?: boolean; min?: number; max?: number }
  | { type: 'boolean' | 'timestamp'; required?: boolean }
  | { type: 'list'; required?: boolean; min?: number; max?: number; member: Shape }
  | { type: 'map'; required?: boolean; min?: number; max?: number; key: Shape; value: Shape }
  | { type: 'structure'; required?: boolean; members: Record<string, Shape> }

export interface Validation {
  /** A value of the wrong JSON type: AWS answers SerializationException, not a validation error. */
  serialization?: string
  violations: string[]
}

export function validate(shape: Extract<Shape, { type: 'structure' }>, input: unknown): Validation {
  const result: Validation = { violations: [] }
  check(shape, input, '', result)
  return result
}

/** The message of an InvalidInputException for these violations. */
export function validationMessage(violations: string[]): string {
  const count = violations.length
  return `${count} validation error${count === 1 ? '' : 's'} detected: ${violations.join('; ')}`
}

function check(shape: Shape, value: unknown, path: string, result: Validation): void {
  if (value === undefined || value === null) {
    if (shape.required)
      result.violations.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`)
    return
  }
  const wrongType = typeError(shape, value)
  if (wrongType) {
    result.serialization ??= wrongType
    return
  }
  const fail = (constraint: string) =>
    result.violations.push(`Value ${show(value)} at '${path}' failed to satisfy constraint: Member must ${constraint}`)
  switch (shape.type) {
    case 'string':
      lengthChecks(shape, (value as string).length, fail)
      if (shape.pattern && !shape.pattern.test(value as string)) {
        fail(`satisfy regular expression pattern: ${shape.pattern.source.replace(/^\^|\$$/g, '')}`)
      }
      return
    case 'integer':
    case 'float':
      if (shape.min !== undefined && (value as number) < shape.min)
        fail(`have value greater than or equal to ${shape.min}`)
      if (shape.max !== undefined && (value as number) > shape.max)
        fail(`have value less than or equal to ${shape.max}`)
      return
    case 'list':
      lengthChecks(shape, (value as unknown[]).length, fail)
      ;(value as unknown[]).forEach((item, i) => check(shape.member, item, `${path}.${i + 1}.member`, result))
      return
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>)
      lengthChecks(shape, entries.length, fail)
      for (const [key, item] of entries) {
        check(shape.key, key, `${path}.${key}.key`, result)
        check(shape.value, item, `${path}.${key}.value`, result)
      }
      return
    }
    case 'structure':
      for (const [name, member] of Object.entries(shape.members)) {
        check(member, (value as Record<string, unknown>)[name], path ? `${path}.${name}` : name, result)
      }
      return
    default:
      return
  }
}

function lengthChecks(shape: { min?: number; max?: number }, length: number, fail: (constraint: string) => void): void {
  if (shape.min !== undefined && length < shape.min) fail(`have length greater than or equal to ${shape.min}`)
  if (shape.max !== undefined && length > shape.max) fail(`have length less than or equal to ${shape.max}`)
}

const JSON_TYPE: Record<Shape['type'], (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  // restJson1 and awsJson1_1 send timestamps as epoch seconds.
  timestamp: (v) => typeof v === 'number' && Number.isFinite(v),
  list: (v) => Array.isArray(v),
  map: (v) => typeof v === 'object' && !Array.isArray(v),
  structure: (v) => typeof v === 'object' && !Array.isArray(v)
}

// The Jackson-style texts Coral services answer with. The timestamp one is quoted in pplu/aws-sdk-perl#379; the
// list and map ones are the JSON parser's; the last is our own wording for the other mismatches.
function typeError(shape: Shape, value: unknown): string | undefined {
  if (JSON_TYPE[shape.type](value)) return undefined
  if (shape.type === 'timestamp' && typeof value === 'string') {
    return 'class java.lang.String can not be converted to milliseconds since epoch'
  }
  if (Array.isArray(value)) return 'Start of list found where not expected'
  if (typeof value === 'object') return 'Start of structure or map found where not expected.'
  return `${typeof value} value can not be converted to ${shape.type}`
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`
  if (Array.isArray(value)) return `'[${value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}]'`
  return `'${JSON.stringify(value)}'`
}
