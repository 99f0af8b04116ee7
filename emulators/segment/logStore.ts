// Durable storage of accepted messages in the layout Segment's S3 destination writes:
// <dataDir>/segment-logs/<source-id>/<received-day-ms>/<file>.gz, gzip-compressed newline-delimited JSON. Each
// request's messages are appended as one gzip member (readers, DuckDB included, read concatenated members as one
// stream), written whole or not at all, and fsynced before the request is acknowledged (../groupCommit.ts): a kill or
// a full disk loses nothing that was acknowledged, and a request that could not be stored is answered 500. A torn
// member (a crash mid-write; a write cut short by a full disk is cut back at once) is cut from the end of a file
// before the next append, so that later members never follow it; readers go member by member, skip and report a torn
// one and read on.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { AppendLog, type AppendStats } from '../groupCommit'

const DAY_MS = 86_400_000
// A new file every hour of the day, as Segment's S3 copies come in hourly batches.
const HOUR_MS = 3_600_000

export interface StoredMessage {
  projectId: string
  receivedAt: string
  messageId: string
  [field: string]: unknown
}

/** What the logs held, skipped and cut when read, and what failed since (the local stack's stats). */
export interface LogStats extends AppendStats {
  /** Torn gzip members skipped (never acknowledged) and their bytes; the members after them are read. */
  tornRecords: number
  tornBytes: number
}

/** A gzip member's parts: where its deflate data starts, or undefined when the bytes at `at` are not a header. */
function deflateStart(buffer: Buffer, at: number): number | undefined {
  // RFC 1952 §2.3: ID1 ID2 CM FLG MTIME(4) XFL OS, then the optional fields FLG announces.
  if (buffer[at] !== 0x1f || buffer[at + 1] !== 0x8b || buffer[at + 2] !== 8) return undefined
  const flags = buffer[at + 3]!
  let p = at + 10
  if (flags & 4) p += 2 + buffer.readUInt16LE(p)
  if (flags & 8) p = buffer.indexOf(0, p) + 1
  if (flags & 16) p = buffer.indexOf(0, p) + 1
  if (flags & 2) p += 2
  return p > at && p <= buffer.length ? p : undefined
}

/** The member at `at`, inflated and checked (CRC-32 and length), and where it ends; undefined when it is torn. */
function member(buffer: Buffer, at: number): { text: Buffer; end: number } | undefined {
  const start = deflateStart(buffer, at)
  if (start === undefined) return undefined
  try {
    const { buffer: text, engine } = zlib.inflateRawSync(buffer.subarray(start), { info: true }) as unknown as {
      buffer: Buffer
      engine: zlib.InflateRaw
    }
    const end = start + engine.bytesWritten + 8
    if (end > buffer.length) return undefined
    const crc = buffer.readUInt32LE(end - 8)
    const size = buffer.readUInt32LE(end - 4)
    if (size !== text.length % 2 ** 32 || (typeof zlib.crc32 === 'function' && zlib.crc32(text) !== crc))
      return undefined
    return { text, end }
  } catch {
    return undefined
  }
}

/**
 * A log file's text, member by member, and where its last whole member ends. A clean file is inflated in one call;
 * otherwise each member is, and a torn one (it does not inflate, or its CRC or length is wrong) is reported and
 * skipped to the next member that does.
 */
export function readLog(
  buffer: Buffer,
  onTorn: (at: number, bytes: number) => void = () => undefined
): { texts: Buffer[]; end: number } {
  try {
    const { buffer: text, engine } = zlib.gunzipSync(buffer, { info: true }) as unknown as {
      buffer: Buffer
      engine: zlib.Gunzip
    }
    // gunzip stops silently at bytes that do not start a member (zeros a crash left): those take the slow path.
    if (engine.bytesWritten === buffer.length) return { texts: [text], end: buffer.length }
  } catch {
    // a torn member: read member by member
  }
  const texts: Buffer[] = []
  let [at, end] = [0, 0]
  while (at < buffer.length) {
    const found = member(buffer, at)
    if (found) {
      texts.push(found.text)
      at = end = found.end
      continue
    }
    // Torn: the next member is the next header that inflates whole.
    let next = buffer.indexOf(0x1f, at + 1)
    while (next >= 0 && !member(buffer, next)) next = buffer.indexOf(0x1f, next + 1)
    if (next < 0) next = buffer.length
    if (next < buffer.length || buffer.subarray(at).some((byte) => byte !== 0)) onTorn(at, next - at)
    at = next
  }
  return { texts, end }
}

export class LogStore {
  private readonly open = new Map<string, AppendLog>()
  /** Where each file's last whole member ends, as stored() found it: the first append cuts what follows. */
  private readonly ends = new Map<string, number>()
  private readonly read = { tornRecords: 0, tornBytes: 0, failedAppends: 0, cutBytes: 0 }

  constructor(
    private readonly dataDir: string,
    private readonly warn: (message: string) => void = console.warn
  ) {}

  get stats(): LogStats {
    const stats = { ...this.read }
    for (const log of this.open.values()) {
      stats.failedAppends += log.stats.failedAppends
      stats.cutBytes += log.stats.cutBytes
    }
    return stats
  }

  private fileFor(sourceId: string, received: number): string {
    const day = Math.floor(received / DAY_MS) * DAY_MS
    const hour = Math.floor(received / HOUR_MS) * HOUR_MS
    return path.join(this.dataDir, 'segment-logs', sourceId, String(day), `${hour}.gz`)
  }

  private logFor(file: string): AppendLog {
    let log = this.open.get(file)
    if (log === undefined) {
      mkdirSync(path.dirname(file), { recursive: true })
      let end = this.ends.get(file)
      if (end === undefined) {
        try {
          end = readLog(readFileSync(file)).end
        } catch (error) {
          // A file that cannot be read is never written over: the append fails.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
          end = 0
        }
      }
      log = new AppendLog(file, end)
      if (log.stats.cutBytes > 0)
        this.warn(`${file}: cut a torn last member (${log.stats.cutBytes} bytes), never acknowledged`)
      this.open.set(file, log)
    }
    return log
  }

  /**
   * Appends the messages (at once, in order, each file's as one whole gzip member) and fsyncs them (with other
   * requests' appends); resolves once they are on disk. Throws, or rejects, when they are not stored: then nothing of
   * them is kept.
   */
  append(messages: StoredMessage[]): Promise<void> {
    const groups = new Map<string, StoredMessage[]>()
    for (const message of messages) {
      const file = this.fileFor(message.projectId, Date.parse(message.receivedAt))
      const group = groups.get(file)
      if (group) group.push(message)
      else groups.set(file, [message])
    }
    const written: Array<[AppendLog, number]> = []
    try {
      for (const [file, group] of groups) {
        const log = this.logFor(file)
        const end = log.size
        log.write(zlib.gzipSync(group.map((message) => `${JSON.stringify(message)}\n`).join('')))
        written.push([log, end])
      }
    } catch (error) {
      // All of the request's messages or none: take back the members already written to other files.
      for (const [log, end] of written) log.truncate(end)
      throw error
    }
    return Promise.all(written.map(([log]) => log.sync())).then(() => undefined)
  }

  /** Every message already stored, in order (to rebuild dedupe and profiles on a restart); torn members are skipped. */
  *stored(): Generator<StoredMessage> {
    const root = path.join(this.dataDir, 'segment-logs')
    let entries: string[] = []
    try {
      entries = readdirSync(root, { recursive: true }) as string[]
    } catch {
      return
    }
    for (const entry of entries.filter((name) => name.endsWith('.gz')).sort()) {
      const file = path.join(root, entry)
      const { texts, end } = readLog(readFileSync(file), (at, bytes) => {
        this.read.tornRecords++
        this.read.tornBytes += bytes
        this.warn(`${file}: skipped a torn gzip member (${bytes} bytes at byte ${at}), never acknowledged; reading on`)
      })
      this.ends.set(file, end)
      for (const text of texts)
        for (const line of text.toString().split('\n')) {
          if (line === '') continue
          try {
            yield JSON.parse(line) as StoredMessage
          } catch {
            this.read.tornRecords++
            this.read.tornBytes += Buffer.byteLength(line)
            this.warn(`${file}: skipped a line that is not JSON (${Buffer.byteLength(line)} bytes)`)
          }
        }
    }
  }

  /** Resolves once everything appended so far is on disk. */
  async synced(): Promise<void> {
    await Promise.all([...this.open.values()].map((log) => log.sync()))
  }

  /** Waits for the fsyncs under way, then closes the files. */
  async close(): Promise<void> {
    const logs = [...this.open.values()]
    Object.assign(this.read, this.stats)
    this.open.clear()
    await Promise.all(logs.map((log) => log.close()))
  }
}
