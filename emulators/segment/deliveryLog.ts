// The delivery log: what the local Segment's delivery has finished, so that a restart delivers what was stored but
// not delivered, and nothing twice. <dir>/done.ids has a line per message whose delivery is over (its messageId, the
// format since the first version), and for a message still being retried, a JSON line `["<messageId>", "<subscription>",
// …]` naming the subscriptions that are over for it (delivered, or failed for good); a restart delivers that message
// only to the others. <dir>/failed.ndjson has each final failure, one per (message, subscription).
//
// A write that fails (a full disk, a file that cannot be opened) is never dropped: what it carried stays in memory and
// is written again with backoff until it is on disk, each failure reported. Until then the messages it records are
// not recorded: a kill re-delivers them, so nothing is lost (Personalize ignores repeated eventIds; the round-trip's
// identify reuses its trigger's messageId, which Segment drops as a duplicate).
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { AppendLog } from '../groupCommit'

/** A final failure of one subscription for one message, as failed.ndjson and the stats keep it. */
export interface DeliveryFailure {
  messageId: string
  event: string
  /** The subscription (preset) that failed; `delivery` when delivery itself threw; `Lambda` for local --lambda. */
  preset: string
  status: number
  message: string
}

const FIRST_RETRY_MS = 500
const MAX_RETRY_MS = 30_000

/** A done.ids line for a message whose delivery is over: its id, JSON-quoted when it could be read as a JSON line. */
const overLine = (id: string) => (id.startsWith('[') || id.includes('\n') ? JSON.stringify([id]) : id)

function parseLine(line: string): string[] | undefined {
  if (!line.startsWith('[')) return undefined
  try {
    const parts: unknown = JSON.parse(line)
    if (Array.isArray(parts) && parts.length > 0 && parts.every((part) => typeof part === 'string')) return parts
  } catch {
    // an old-format id that starts with "[": taken as it is
  }
  return undefined
}

export class DeliveryLog {
  /** Messages whose delivery is over. */
  readonly done = new Set<string>()
  /** For messages not over, the subscriptions that are (read at start, for a restart). */
  readonly partly = new Map<string, Set<string>>()
  /** False when the log was just created: what was already stored predates the destination. */
  readonly existed: boolean
  private readonly doneFile: AppendLog
  private readonly failedPath: string
  // Opened at the first failure to keep: a file that cannot be opened is then a failed write, retried like one.
  private failedFile: AppendLog | undefined
  private doneText = ''
  private failedText = ''
  private waiters: Array<() => void> = []
  private writing: Promise<void> | undefined
  private closed = false
  private wake: (() => void) | undefined

  /** `onError` hears of each failed write, and when it is tried again. */
  constructor(
    dir: string,
    private readonly onError: (error: Error, retryInMs: number) => void
  ) {
    mkdirSync(dir, { recursive: true })
    const file = path.join(dir, 'done.ids')
    this.existed = existsSync(file)
    const text = this.existed ? readFileSync(file) : Buffer.alloc(0)
    // A line torn by a kill mid-write is not read (it could be the start of another id), and is cut.
    const whole = text.lastIndexOf(0x0a) + 1
    this.read(text.subarray(0, whole).toString())
    // Made now, so that the next start knows the destination was connected.
    this.doneFile = new AppendLog(file, whole)
    this.failedPath = path.join(dir, 'failed.ndjson')
  }

  private read(text: string): void {
    for (const line of text.split('\n')) {
      if (!line) continue
      const [id, ...subscriptions] = parseLine(line) ?? [line]
      if (subscriptions.length === 0) this.done.add(id!)
      else {
        const over = this.partly.get(id!) ?? new Set<string>()
        for (const name of subscriptions) over.add(name)
        this.partly.set(id!, over)
      }
    }
    for (const id of this.partly.keys()) if (this.done.has(id)) this.partly.delete(id)
  }

  /**
   * Records messages whose delivery is over with their final failures, and (`partly`) the subscriptions over for
   * messages that wait for a retry. Resolves once that is on disk; never rejects (a failed write is retried).
   */
  record(over: string[], failures: DeliveryFailure[], partly: Array<[string, Iterable<string>]> = []): Promise<void> {
    for (const failure of failures) this.failedText += `${JSON.stringify(failure)}\n`
    for (const [id, subscriptions] of partly) this.doneText += `${JSON.stringify([id, ...subscriptions])}\n`
    for (const id of over) {
      if (this.done.has(id)) continue
      this.done.add(id)
      this.doneText += `${overLine(id)}\n`
    }
    return new Promise((resolve) => {
      this.waiters.push(resolve)
      this.writing ??= this.writeAll().finally(() => (this.writing = undefined))
    })
  }

  /** Writes what is waiting, again and again after a failure, until it is on disk or the log is closed. */
  private async writeAll(): Promise<void> {
    let wait = FIRST_RETRY_MS
    while (this.waiters.length > 0 && !this.closed) {
      const waiters = this.waiters.splice(0)
      try {
        await this.writeOnce()
        for (const resolve of waiters) resolve()
        wait = FIRST_RETRY_MS
      } catch (error) {
        this.waiters.unshift(...waiters)
        this.onError(error as Error, wait)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait)
          this.wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        wait = Math.min(wait * 2, MAX_RETRY_MS)
      }
    }
  }

  // Failures first and on disk before the lines that say their messages are over: a kill between the two leaves a
  // message to deliver again, never one finished with its failure unrecorded. A failed write or fsync leaves the file
  // as it was (AppendLog cuts back what it did not keep), so the text is written again, whole, on the next try.
  private async writeOnce(): Promise<void> {
    let failed = this.failedText
    const done = this.doneText
    this.failedText = ''
    this.doneText = ''
    try {
      if (failed) {
        this.failedFile ??= new AppendLog(this.failedPath)
        this.failedFile.write(Buffer.from(failed))
        await this.failedFile.sync()
        failed = ''
      }
      if (done) this.doneFile.write(Buffer.from(done))
      await this.doneFile.sync()
    } catch (error) {
      this.failedText = failed + this.failedText
      this.doneText = done + this.doneText
      throw error
    }
  }

  /** Tries once more to write what waits (reporting a failure), then closes the files; what is left is not recorded. */
  async close(): Promise<void> {
    this.closed = true
    this.wake?.()
    await this.writing
    if (this.waiters.length > 0) {
      try {
        await this.writeOnce()
        for (const resolve of this.waiters.splice(0)) resolve()
      } catch (error) {
        this.onError(error as Error, Infinity)
      }
    }
    await this.doneFile.close()
    await this.failedFile?.close()
  }
}
