// Durability under --data-dir: every operation that changes state is appended to a journal, one JSON line each, and
// fsynced (with group commit, ../groupCommit.ts) before it is acknowledged; its changes to the store stand only once
// the line is on disk (a failed write or fsync takes them back and answers 500). A restart replays the journal with
// each entry's time, ids, region and resource delay, so what was acknowledged happens again as it happened, never
// judged anew under other flags. Imported CSVs are copied into the data dir first, so a replay reads what the import
// read. The journal is read line by line: a torn line (a crash mid-write, or a disk that lost a page) was never
// acknowledged and is skipped and reported, and the lines after it are read.
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs'
import path from 'node:path'
import { AppendLog, type AppendStats } from '../groupCommit'
import { AwsError } from './protocol'
import type { Store } from './store'

export interface Entry {
  op: string
  input: Record<string, unknown>
  at: number
  ids: string[]
  /** The request's region; absent in journals written before the emulator had regions. */
  region?: string
  /** The delay resources took to become ACTIVE when the entry was acknowledged; absent in older journals. */
  delayMs?: number
}

export const MUTATING = /^(Create|Delete|Put|Tag|Untag|Update|Start|Stop)/

/** What the journal held, skipped and cut when it was opened, and what failed since (the local stack's stats). */
export interface JournalStats extends AppendStats {
  /** Entries read back and replayed. */
  entries: number
  /** Torn lines skipped (never acknowledged) and their bytes; the lines after them are read. */
  tornRecords: number
  tornBytes: number
  /** Entries that did not replay as they were acknowledged (reported; should stay 0). */
  diverged: number
}

// Every entry is JSON.stringify of an Entry, so it starts with its first key.
const ENTRY_START = Buffer.from('{"op":')
const CHUNK = 1 << 20

/**
 * The journal's entries, line by line, and where the last whole line ends. A line that is not an entry is torn: it is
 * reported, and what follows it (an entry written after a torn one on the same line, as journals written before
 * torn tails were cut have) is read.
 */
function readJournal(
  file: string,
  onTorn: (at: number, bytes: number) => void = () => undefined
): { entries: Entry[]; end: number } {
  const entries: Entry[] = []
  if (!existsSync(file)) return { entries, end: 0 }
  const fd = openSync(file, 'r')
  let carry = Buffer.alloc(0)
  let position = 0
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK)
      const n = readSync(fd, chunk, 0, CHUNK, position)
      if (n === 0) break
      const buffer = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n)
      const start = position - carry.length
      position += n
      let from = 0
      for (let newline = buffer.indexOf(10); newline >= 0; newline = buffer.indexOf(10, from)) {
        readLine(buffer.subarray(from, newline), start + from, entries, onTorn)
        from = newline + 1
      }
      carry = Buffer.from(buffer.subarray(from))
    }
  } finally {
    closeSync(fd)
  }
  // A last line without its newline was being written when the process stopped: never acknowledged.
  return { entries, end: position - carry.length }
}

function readLine(line: Buffer, at: number, entries: Entry[], onTorn: (at: number, bytes: number) => void): void {
  for (let from = 0; from < line.length;) {
    try {
      entries.push(JSON.parse(line.subarray(from).toString()) as Entry)
      return
    } catch {
      const next = line.indexOf(ENTRY_START, from + 1)
      const torn = (next < 0 ? line.length : next) - from
      if (line.subarray(from, from + torn).some((byte) => byte !== 32 && byte !== 13 && byte !== 0))
        onTorn(at + from, torn)
      if (next < 0) return
      from = next
    }
  }
}

export class Journal {
  readonly file: string
  private readonly log: AppendLog
  private entries: Entry[] | undefined
  private readonly read: Omit<JournalStats, keyof AppendStats>

  /** Opens the journal: reads it (torn lines reported with `warn`) and cuts a torn last line. */
  constructor(
    readonly dataDir: string,
    private readonly warn: (message: string) => void = console.warn
  ) {
    mkdirSync(path.join(dataDir, 'imports'), { recursive: true })
    this.file = path.join(dataDir, 'journal.ndjson')
    let [tornRecords, tornBytes] = [0, 0]
    const { entries, end } = readJournal(this.file, (at, bytes) => {
      tornRecords++
      tornBytes += bytes
      warn(`${this.file}: skipped a torn entry (${bytes} bytes at byte ${at}), never acknowledged; reading on`)
    })
    this.entries = entries
    this.log = new AppendLog(this.file, end)
    this.read = { entries: entries.length, tornRecords, tornBytes, diverged: 0 }
    if (this.log.stats.cutBytes > 0)
      warn(`${this.file}: cut a torn last line (${this.log.stats.cutBytes} bytes), never acknowledged`)
  }

  get stats(): JournalStats {
    return { ...this.read, ...this.log.stats }
  }

  /** Reports an entry that did not replay as it was acknowledged. */
  diverged(entry: Entry, result: unknown): void {
    this.read.diverged++
    const why = result instanceof AwsError ? `${result.type}: ${result.message}` : 'unknown operation'
    this.warn(`${this.file}: ${entry.op} at ${new Date(entry.at).toISOString()} did not replay (${why})`)
  }

  /** The entries read when the journal was opened, for the replay (handed out once). */
  takeEntries(): Entry[] {
    const entries = this.entries ?? []
    this.entries = undefined
    return entries
  }

  /**
   * Writes the entry whole, at once (entries stay in the order of the operations), or throws, the journal left as it
   * was. The promise resolves once it is on disk; if it will not be kept (a failed fsync), `lost` runs first (newest
   * entry first) and the promise rejects. On a failed write, `lost` runs before the throw.
   */
  append(entry: Entry, lost: () => void = () => undefined): Promise<void> {
    try {
      this.log.write(Buffer.from(`${JSON.stringify(entry)}\n`))
    } catch (error) {
      lost()
      throw error
    }
    return this.log.sync(lost)
  }

  /**
   * An import's input with its CSV (`from`, its data location resolved: training.ts importedFile) copied into the
   * data dir, so the journal never depends on the original file.
   */
  keepImport(input: Record<string, unknown>, from: string): Record<string, unknown> {
    const source = (input.dataSource as { dataLocation: string }).dataLocation
    const copy = path.join(this.dataDir, 'imports', `${String(input.jobName)}-${Date.now()}.csv`)
    copyFileSync(from, copy)
    return {
      ...input,
      dataSource: { ...(input.dataSource as object), dataLocation: copy },
      originalDataLocation: source
    }
  }

  /** Waits for the fsync under way, then closes the file. */
  async close(): Promise<void> {
    await this.log.close()
  }
}

/**
 * Rebuilds a store from its journal: each entry runs at its time, with its ids, region and delay, so it does what it
 * did when it was acknowledged (a campaign created 300 ms after its solution version, under --delay-ms 300, is created
 * again under any other delay). Entries from journals that did not record a delay replay with none: they were
 * acknowledged, so whatever waited for a resource to be ACTIVE found it so. An entry that still fails is reported.
 */
export function replay(
  store: Store,
  entries: Entry[],
  defaultRegion: string,
  run: (op: string, input: Record<string, unknown>) => unknown,
  report: (entry: Entry, result: unknown) => void = () => undefined
): void {
  const [clock, delayMs] = [store.now, store.delayMs]
  store.replaying = true
  try {
    for (const entry of entries) {
      store.now = () => entry.at
      store.ids = [...entry.ids]
      store.region = entry.region ?? defaultRegion
      store.delayMs = entry.delayMs ?? 0
      const result = run(entry.op, entry.input)
      if (result === undefined || result instanceof AwsError) report(entry, result)
    }
  } finally {
    store.replaying = false
    store.ids = []
    store.now = clock
    store.region = defaultRegion
    store.delayMs = delayMs
  }
}
