// Personalize's service models as the aws-sdk v2 package ships them (apis/<service>-<version>.min.json: operations,
// input and output shapes with their required members and types, HTTP paths), and the operations' modelled errors as
// the v3 clients document them (`@throws` in dist-types/commands/<Op>Command.d.ts, generated from the Smithy model).
// The .min.json files carry no lengths, patterns, enums or errors; those come from the emulator's shapes.ts (checked
// member by member against the model here) and from the v3 clients.
import { readFileSync } from 'node:fs'
import path from 'node:path'

export interface ModelShape {
  shape?: string
  type?: string
  required?: string[]
  members?: Record<string, ModelShape>
  member?: ModelShape
  key?: ModelShape
  value?: ModelShape
}

export interface ModelOperation {
  http?: { requestUri?: string }
  input?: ModelShape
  output?: ModelShape
}

export interface ServiceModel {
  metadata: { protocol: string; targetPrefix?: string }
  operations: Record<string, ModelOperation>
  shapes: Record<string, ModelShape>
}

export type Service = 'personalize' | 'personalize-events' | 'personalize-runtime'

const FILES: Record<Service, { model: string; client: string }> = {
  personalize: { model: 'personalize-2018-05-22.min.json', client: '@aws-sdk/client-personalize' },
  'personalize-events': {
    model: 'personalize-events-2018-03-22.min.json',
    client: '@aws-sdk/client-personalize-events'
  },
  'personalize-runtime': {
    model: 'personalize-runtime-2018-05-22.min.json',
    client: '@aws-sdk/client-personalize-runtime'
  }
}

export function loadModel(service: Service): ServiceModel {
  const file = path.join(path.dirname(require.resolve('aws-sdk/package.json')), 'apis', FILES[service].model)
  return JSON.parse(readFileSync(file, 'utf8')) as ServiceModel
}

/** A shape with its `shape` reference followed. */
export function resolve(model: ServiceModel, shape: ModelShape): ModelShape {
  return shape.shape ? { ...model.shapes[shape.shape], ...resolve(model, model.shapes[shape.shape]!) } : shape
}

/** The errors an operation's model lists. */
export function modelledErrors(service: Service, op: string): string[] {
  const dir = path.dirname(require.resolve(`${FILES[service].client}/package.json`))
  const text = readFileSync(path.join(dir, 'dist-types', 'commands', `${op}Command.d.ts`), 'utf8')
  return [...text.matchAll(/@throws \{@link (\w+)\}/g)]
    .map((match) => match[1]!)
    .filter((name) => !/ServiceException$/.test(name))
}

/** Why `value` does not match the output shape (unknown members, wrong types, missing required members). */
export function outputProblems(model: ServiceModel, shape: ModelShape, value: unknown, at = '$'): string[] {
  const s = resolve(model, shape)
  const type = s.type ?? 'string'
  const wrong = (expected: string) => [`${at}: expected ${expected}, got ${JSON.stringify(value)}`]
  switch (type) {
    case 'structure': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return wrong('an object')
      const record = value as Record<string, unknown>
      const members = s.members ?? {}
      return [
        ...Object.keys(record)
          .filter((key) => !(key in members))
          .map((key) => `${at}.${key}: not a member of the model's shape`),
        ...(s.required ?? [])
          .filter((key) => record[key] === undefined)
          .map((key) => `${at}.${key}: required by the model, missing`),
        ...Object.entries(record).flatMap(([key, member]) =>
          key in members ? outputProblems(model, members[key]!, member, `${at}.${key}`) : []
        )
      ]
    }
    case 'list':
      return Array.isArray(value)
        ? value.flatMap((item, i) => outputProblems(model, s.member!, item, `${at}[${i}]`))
        : wrong('a list')
    case 'map':
      return value && typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value as Record<string, unknown>).flatMap(([key, item]) =>
            outputProblems(model, s.value!, item, `${at}.${key}`)
          )
        : wrong('a map')
    case 'integer':
    case 'long':
      return Number.isInteger(value) ? [] : wrong('an integer')
    case 'double':
    case 'float':
      return typeof value === 'number' ? [] : wrong('a number')
    case 'timestamp':
      // awsJson1_1 and restJson1 send timestamps as epoch seconds.
      return typeof value === 'number' && value > 1e9 && value < 1e11 ? [] : wrong('epoch seconds')
    case 'boolean':
      return typeof value === 'boolean' ? [] : wrong('a boolean')
    default:
      return typeof value === 'string' ? [] : wrong('a string')
  }
}
