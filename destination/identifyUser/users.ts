import type { Settings } from '../generated-types'
import type { HttpClient } from '../http'
import type { EventResult } from '../personalize/errors'
import { putRecords, USERS } from '../personalize/putRecords'
import type { Payload } from './generated-types'

/** PutUsers for a batch of identifyUser payloads: one user record each, with the traits mapped. */
export function putUsers(request: HttpClient, settings: Settings, payloads: Payload[]): Promise<EventResult[]> {
  return putRecords(
    request,
    settings,
    USERS,
    payloads.map((p) => [{ id: p.userId, properties: p.properties }])
  )
}
