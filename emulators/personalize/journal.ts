// Durability under --data-dir: every operation that changes state is appended to a journal, and fsynced (with group
// commit, ../groupCommit.ts) before it is acknowledged; a restart replays the journal with the original times and
// ids, which rebuilds the same resources, recorded data and trained models. Imported CSVs are copied into the data
// dir first, so a replay reads what the import read. A line cut short by a crash was never acknowledged and is skipped.
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  truncateSync,
  writeSync
} from 'node:fs'
import path from 'node:path'
import { GroupCommit } from '../groupCommit'
import type { Store } from './store'
import { localPath } from './training'

export interface Entry {
  op: string
  input: Record<string, unknown>
  at: number
  ids: string[]
  /** The request's region; absent in journals written before the emulator had regions. */
  region?: string
}

export const MUTATING = /^(Create|Delete|Put|Tag|Untag|Update|Start|Stop)/

export class Journal {
  private readonly fd: number
  private readonly commit: GroupCommit
  readonly file: string

  constructor(readonly dataDir: string) {
    mkdirSync(path.join(dataDir, 'imports'), { recursive: true })
    this.file = path.join(dataDir, 'journal.ndjson')
    // Cut a torn last line (never acknowledged) so that new entries start on a line of their own.
    if (existsSync(this.file)) {
      const text = readFileSync(this.file, 'utf8')
      if (text !== '' && !text.endsWith('\n'))
        truncateSync(this.file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)))
    }
    this.fd = openSync(this.file, 'a')
    this.commit = new GroupCommit(this.fd)
  }

  /** The entries written so far, in order; a torn last line is dropped. */
  static read(dataDir: string): Entry[] {
    const file = path.join(dataDir, 'journal.ndjson')
    if (!existsSync(file)) return []
    const entries: Entry[] = []
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue
      try {
        entries.push(JSON.parse(line) as Entry)
      } catch {
        break
      }
    }
    return entries
  }

  /** Writes the entry at once (entries stay in the order of the operations); resolves once it is on disk. */
  append(entry: Entry): Promise<void> {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`)
    return this.commit.sync()
  }

  /** An import's input with its CSV copied into the data dir, so the journal never depends on the original file. */
  keepImport(input: Record<string, unknown>, s3Root: string): Record<string, unknown> {
    const source = (input.dataSource as { dataLocation?: string } | undefined)?.dataLocation
    if (!source) return input
    const from = localPath(source, s3Root)
    if (!existsSync(from)) return input
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
    await this.commit.sync().catch(() => undefined)
    closeSync(this.fd)
  }
}

/** Rebuilds a store from its journal. */
export function replay(
  store: Store,
  entries: Entry[],
  defaultRegion: string,
  run: (op: string, input: Record<string, unknown>) => unknown
): void {
  const clock = store.now
  store.replaying = true
  try {
    for (const entry of entries) {
      store.now = () => entry.at
      store.ids = [...entry.ids]
      store.region = entry.region ?? defaultRegion
      run(entry.op, entry.input)
    }
  } finally {
    store.replaying = false
    store.ids = []
    store.now = clock
    store.region = defaultRegion
  }
}
