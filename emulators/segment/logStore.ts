// Durable storage of accepted messages in the layout Segment's S3 destination writes:
// <dataDir>/segment-logs/<source-id>/<received-day-ms>/<file>.gz, gzip-compressed newline-delimited JSON. Each
// request's messages are appended as one gzip member (readers, DuckDB included, read concatenated members as one
// stream) and fsynced before the request is acknowledged: a kill loses nothing that was acknowledged, and at worst
// leaves a torn last member that nothing acknowledged.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { GroupCommit } from '../groupCommit'

const DAY_MS = 86_400_000
// A new file every hour of the day, as Segment's S3 copies come in hourly batches.
const HOUR_MS = 3_600_000

export interface StoredMessage {
  projectId: string
  receivedAt: string
  messageId: string
  [field: string]: unknown
}

export class LogStore {
  private readonly open = new Map<string, { fd: number; commit: GroupCommit }>()

  constructor(private readonly dataDir: string) {}

  private fileFor(sourceId: string, received: number): string {
    const day = Math.floor(received / DAY_MS) * DAY_MS
    const hour = Math.floor(received / HOUR_MS) * HOUR_MS
    return path.join(this.dataDir, 'segment-logs', sourceId, String(day), `${hour}.gz`)
  }

  /** Appends (at once, in order) and fsyncs (with other requests' appends); resolves once the messages are on disk. */
  append(messages: StoredMessage[]): Promise<void> {
    const groups = new Map<string, StoredMessage[]>()
    for (const message of messages) {
      const file = this.fileFor(message.projectId, Date.parse(message.receivedAt))
      const group = groups.get(file)
      if (group) group.push(message)
      else groups.set(file, [message])
    }
    const synced: Array<Promise<void>> = []
    for (const [file, group] of groups) {
      let log = this.open.get(file)
      if (log === undefined) {
        mkdirSync(path.dirname(file), { recursive: true })
        const fd = openSync(file, 'a')
        log = { fd, commit: new GroupCommit(fd) }
        this.open.set(file, log)
      }
      writeSync(log.fd, zlib.gzipSync(group.map((message) => `${JSON.stringify(message)}\n`).join('')))
      synced.push(log.commit.sync())
    }
    return Promise.all(synced).then(() => undefined)
  }

  /** Every message already stored, in order (to rebuild dedupe and profiles on a restart); a torn end is skipped. */
  *stored(): Generator<StoredMessage> {
    const root = path.join(this.dataDir, 'segment-logs')
    let entries: string[] = []
    try {
      entries = readdirSync(root, { recursive: true }) as string[]
    } catch {
      return
    }
    for (const entry of entries.filter((name) => name.endsWith('.gz')).sort()) {
      // finishFlush keeps what inflated before a member torn by a kill mid-write.
      const text = zlib
        .gunzipSync(readFileSync(path.join(root, entry)), { finishFlush: zlib.constants.Z_SYNC_FLUSH })
        .toString()
      for (const line of text.split('\n')) {
        try {
          yield JSON.parse(line) as StoredMessage
        } catch {
          // the torn end of a member
        }
      }
    }
  }

  /** Resolves once everything appended so far is on disk. */
  async synced(): Promise<void> {
    await Promise.all([...this.open.values()].map((log) => log.commit.sync()))
  }

  /** Waits for the fsyncs under way, then closes the files. */
  async close(): Promise<void> {
    const logs = [...this.open.values()]
    this.open.clear()
    await Promise.allSettled(logs.map((log) => log.commit.sync()))
    for (const log of logs) closeSync(log.fd)
  }
}
