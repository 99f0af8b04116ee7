import type { JSONLikeObject } from '@segment/actions-core'
import type { HttpClient } from '../http'
import type { Settings } from '../generated-types'
import { chunk, deliver } from './batch'
import type { Part } from './batch'
import { callPersonalize } from './client'
import { forgetCredentials, resolveCredentials } from './credentials'
import { invalidEvent, missingSetting } from './errors'
import type { EventResult, Failure } from './errors'
import { ID_MAX_LENGTH } from './limits'

/** PutUsers or PutItems: the same shape with different names and limits (personalize-events' service model). */
export interface RecordKind {
  operation: 'PutUsers' | 'PutItems'
  path: '/users' | '/items'
  listKey: 'users' | 'items'
  idKey: 'userId' | 'itemId'
  datasetSetting: 'usersDatasetArn' | 'itemsDatasetArn'
  datasetLabel: string
  propertiesMax: number
}

export const USERS: RecordKind = {
  operation: 'PutUsers',
  path: '/users',
  listKey: 'users',
  idKey: 'userId',
  datasetSetting: 'usersDatasetArn',
  datasetLabel: 'Users Dataset ARN',
  propertiesMax: 24_000
}

export const ITEMS: RecordKind = {
  operation: 'PutItems',
  path: '/items',
  listKey: 'items',
  idKey: 'itemId',
  datasetSetting: 'itemsDatasetArn',
  datasetLabel: 'Items Dataset ARN',
  propertiesMax: 32_000
}

const PUT_RECORDS_MAX = 10
// PutUsers and PutItems allow 10 requests/s per dataset group (https://docs.aws.amazon.com/personalize/latest/dg/limits.html).
const CONCURRENT_CALLS = 2

/** One user or item that a Segment event describes. */
export interface MetadataRecord {
  id: string | undefined
  properties?: Record<string, unknown>
}

/**
 * Personalize's `properties` for a user or item: a JSON string of the mapped values, with lists joined by "|" (how
 * Personalize reads categorical fields with several values), or undefined when nothing is mapped.
 */
export function serializeMetadata(properties: Record<string, unknown> | undefined): string | undefined {
  if (!properties) return undefined
  const kept = Object.entries(properties).flatMap(([key, value]) => {
    const field = metadataValue(value)
    return field === undefined ? [] : [[key, field]]
  })
  return kept.length === 0 ? undefined : JSON.stringify(Object.fromEntries(kept))
}

/**
 * A metadata field's value as Personalize reads it: a string, number or boolean, or a list of them joined by "|".
 * Objects (and objects in a list) are not metadata, whatever a mapping finds there: they are left out, never sent as
 * "[object Object]" or nested JSON. Empty values are absent.
 */
function metadataValue(value: unknown): string | number | boolean | undefined {
  if (Array.isArray(value)) {
    const scalars = value.filter(isScalar).filter((item) => item !== '')
    return scalars.length === 0 ? undefined : scalars.join('|')
  }
  return isScalar(value) && value !== '' ? value : undefined
}

function isScalar(value: unknown): value is string | number | boolean {
  return (
    typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean'
  )
}

/** Why a record cannot be sent, or undefined. */
export function recordProblem(
  kind: RecordKind,
  id: string | undefined,
  properties: string | undefined
): string | undefined {
  if (!id) return `${kind.idKey} is missing`
  if (id.length > ID_MAX_LENGTH)
    return `${kind.idKey} is ${id.length} characters; Personalize accepts at most ${ID_MAX_LENGTH}`
  if (properties && properties.length > kind.propertiesMax) {
    return `properties is ${properties.length} characters as JSON; Personalize accepts at most ${kind.propertiesMax}`
  }
  return undefined
}

/**
 * Sends the records of a batch (one or more per event) with PutUsers or PutItems, ten per call. Records with the same
 * ID collapse into one (the last event's values win), whose outcome is every one of those events'.
 */
export async function putRecords(
  request: HttpClient,
  settings: Settings,
  kind: RecordKind,
  recordsPerEvent: MetadataRecord[][]
): Promise<EventResult[]> {
  const datasetArn = settings[kind.datasetSetting]
  if (!datasetArn) {
    const failure = missingSetting(kind.datasetLabel, `${kind.operation} writes to that dataset`)
    return recordsPerEvent.map(() => ({ ok: false, failure }))
  }
  const failures: Array<Failure | undefined> = []
  const sent: JSONLikeObject[][] = recordsPerEvent.map(() => [])
  const byId = new Map<string, Part<JSONLikeObject>>()
  recordsPerEvent.forEach((records, origin) => {
    for (const [index, record] of records.entries()) {
      const properties = serializeMetadata(record.properties)
      const problem = recordProblem(kind, record.id, properties)
      if (problem) {
        failures[origin] ??= invalidEvent(records.length > 1 ? `${kind.listKey}[${index}]: ${problem}` : problem)
        continue
      }
      const value: JSONLikeObject = properties ? { [kind.idKey]: record.id!, properties } : { [kind.idKey]: record.id! }
      const part = byId.get(record.id!)
      if (part) {
        part.value = value
        if (!part.origins.includes(origin)) part.origins.push(origin)
      } else byId.set(record.id!, { origins: [origin], value })
      sent[origin]!.push(value)
    }
  })
  if (byId.size > 0) {
    const resolved = await resolveCredentials(request, settings)
    const operation = {
      name: kind.operation,
      service: 'personalize-events' as const,
      path: kind.path,
      resource: { setting: kind.datasetLabel, value: datasetArn },
      permission: `personalize:${kind.operation}`
    }
    await deliver(
      chunk([...byId.values()], PUT_RECORDS_MAX),
      async (parts) => {
        if (!resolved.ok) return resolved
        const body = { datasetArn, [kind.listKey]: parts.map((part) => part.value) }
        const outcome = await callPersonalize(request, settings, resolved.credentials, operation, body)
        if (!outcome.ok && outcome.failure.kind === 'authentication') forgetCredentials(settings)
        return outcome
      },
      CONCURRENT_CALLS,
      failures
    )
  }
  return recordsPerEvent.map((_, i): EventResult => {
    const shape = { datasetArn, [kind.listKey]: sent[i]! }
    const failure = failures[i]
    return failure ? { ok: false, failure, sent: shape } : { ok: true, sent: shape }
  })
}
