// The local Segment: its HTTP Tracking API (trackingApi.ts) with durable storage in the S3 destination's layout
// (logStore.ts). Like Segment, it accepts unknown write keys and drops their data; `strict` rejects them with 401.
import type http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLimitedServer, lingerAfterAnswer, readLimited, sendJson } from '../http'
import { LogStore, type StoredMessage } from './logStore'
import { Profiles } from './profiles'
import {
  BATCH_PATHS,
  BadRequest,
  CALLS,
  MAX_BATCH_MESSAGES,
  messagesOf,
  rejection,
  requestLimit,
  stored,
  tooLarge,
  writeKeyOf
} from './trackingApi'

export interface SegmentSource {
  name: string
  writeKey: string
  /** The source's id: projectId on its messages, its folder under segment-logs/. */
  sourceId: string
}

/**
 * The local stack's source for the identify calls the recommendations round-trip sends (the workshop's
 * "personas-event-source"): provision points the destination's Segment Write Key at it.
 */
export const ROUND_TRIP_SOURCE: SegmentSource = {
  name: 'personas',
  writeKey: 'localPersonasWriteKey00000000000',
  sourceId: 'PERSONAS01'
}

export interface SegmentEmulatorOptions {
  /** Where accepted messages are kept (segment-logs/…); in memory only without it. */
  dataDir?: string
  sources: SegmentSource[]
  /** Reject unknown write keys with 401 instead of accepting and dropping their data. */
  strict?: boolean
  /** The Profile API's access token (default PROFILE_TOKEN). */
  profileToken?: string
  /** Called with each request's stored messages, after they are durable (delivery to destinations hooks in here). */
  onStored?: (messages: StoredMessage[]) => void
  /** Called with each message found in the data dir at start, in order (a restart resumes delivery from them). */
  onRestored?: (message: StoredMessage) => void
}

export interface SegmentStats {
  stored: number
  duplicates: number
  /** Messages accepted with 200 and dropped, by reason (unknown write key, no_user_anon_id, …). */
  dropped: Record<string, number>
}

// Segment answers 400 to an empty or very short write key, 200 to any other (segment.md §1).
const MIN_WRITE_KEY = 8

/** The messages could not be made durable: answered 500, so the client retries. */
class StorageFailed extends Error {
  override name = 'StorageFailed'
}

export function createSegmentEmulator(options: SegmentEmulatorOptions) {
  const store = options.dataDir ? new LogStore(options.dataDir) : undefined
  const seen = new Set<string>()
  const profiles = new Profiles()
  // A restart picks up where it stopped: the stored messages' ids (dedupe) and identifies (profiles).
  for (const message of store?.stored() ?? []) {
    seen.add(message.messageId)
    profiles.apply(message)
    options.onRestored?.(message)
  }
  const sources = new Map(options.sources.map((source) => [source.writeKey, source]))
  const stats: SegmentStats = { stored: 0, duplicates: 0, dropped: {} }
  const memory: StoredMessage[] = []
  const drop = (reason: string, count = 1) => (stats.dropped[reason] = (stats.dropped[reason] ?? 0) + count)

  async function accept(
    call: string,
    raw: string,
    authorization: string | undefined
  ): Promise<{ status: number; body: object }> {
    const { body, messages } = messagesOf(call, raw)
    const writeKey = writeKeyOf(authorization, body)
    if (writeKey.length < MIN_WRITE_KEY)
      throw new BadRequest('invalid_write_key', 'The write key is missing or too short.')
    const source = sources.get(writeKey)
    if (!source) {
      if (options.strict)
        return { status: 401, body: { success: false, code: 'unknown_write_key', message: 'Unknown write key.' } }
      drop('unknown write key', messages.length)
      return { status: 200, body: { success: true } }
    }
    if (messages.length > MAX_BATCH_MESSAGES) {
      drop(`batch over ${MAX_BATCH_MESSAGES} events`, messages.length)
      return { status: 200, body: { success: true } }
    }
    const receivedAt = Date.now()
    const kept: StoredMessage[] = []
    let duplicates = 0
    for (const message of messages) {
      const reason = rejection(message)
      if (reason) {
        drop(reason)
        continue
      }
      const record = stored(message, body.sentAt, receivedAt, source.sourceId, writeKey) as StoredMessage
      if (seen.has(record.messageId)) {
        stats.duplicates++
        duplicates++
        continue
      }
      seen.add(record.messageId)
      kept.push(record)
    }
    // Durable before the answer: a kill after this loses nothing that was acknowledged.
    if (kept.length > 0) {
      if (store) {
        try {
          await store.append(kept)
        } catch (error) {
          // Not acknowledged: the client's retry must not be taken for a duplicate.
          for (const record of kept) seen.delete(record.messageId)
          throw new StorageFailed((error as Error).message)
        }
      } else memory.push(...kept)
      stats.stored += kept.length
      // Profiles take what was acknowledged, as delivery does: a failed write leaves them as they were.
      for (const record of kept) profiles.apply(record)
      options.onStored?.(kept)
    } else if (duplicates > 0) {
      // The first copy may still be on its way to disk: acknowledge the repeat only once it is there.
      await store?.synced()
    }
    return { status: 200, body: { success: true } }
  }

  const listener: http.RequestListener = (req, res) => {
    const call = /^\/v1\/([a-z]+)\/?$/.exec(req.url?.split('?')[0] ?? '')?.[1] ?? ''
    const answer = (status: number, body: object) => sendJson(res, status, body)
    if (profiles.answer(req, res, options.profileToken)) return
    if (req.method !== 'POST' || !([...CALLS, ...BATCH_PATHS] as string[]).includes(call)) {
      req.resume()
      return answer(404, {
        success: false,
        code: 'not_found',
        message: `No such endpoint: ${req.method ?? ''} ${req.url ?? ''}`
      })
    }
    // Segment's size limits, while the body streams in: a request over its limit is refused as soon as it is, and
    // the rest is never held (a body of hundreds of MB was buffered whole before being measured).
    readLimited(req, requestLimit(call))
      .then((raw) => {
        if (raw === undefined) throw tooLarge(call)
        return accept(call, raw.toString('utf8'), req.headers.authorization)
      })
      .then(
        ({ status, body }) => answer(status, body),
        (error: unknown) => {
          if (error instanceof BadRequest) {
            if (error.code === 'request_too_large') lingerAfterAnswer(req, res)
            return answer(400, { success: false, code: error.code, message: error.message })
          }
          // Storage failed (a full disk, …): not acknowledged, so the client retries.
          if (error instanceof StorageFailed)
            return answer(500, { success: false, code: 'storage_failed', message: error.message })
          // Anything else came from the message itself (or the client left): refused, never retried for ever.
          answer(400, { success: false, code: 'invalid_request', message: (error as Error).message })
        }
      )
  }
  const server = createLimitedServer(listener)

  return {
    stats,
    /** The durable logs under a data dir (their stats tell what was skipped, cut and failed). */
    logs: store,
    profiles,
    /** The request handler, for a server that serves other APIs beside this one (segment-personalize local). */
    listener,
    /** The stored messages (in memory only, without a data dir). */
    memory,
    async listen(port = 0, host = '127.0.0.1'): Promise<string> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, resolve)
      })
      return `http://${host}:${(server.address() as AddressInfo).port}`
    },
    async close(): Promise<void> {
      await store?.close()
      if (!server.listening) return
      await new Promise((resolve) => server.close(resolve))
    }
  }
}
