import { closeSync, constants, fstatSync, fsync, ftruncateSync, openSync, writeSync } from 'node:fs'

/** The file calls an AppendLog makes; tests replace them to simulate a full disk (short writes, ENOSPC, EIO). */
export const fileIo = {
  /** fs.writeSync with a position: may write fewer bytes than asked, as on a full disk. */
  write: (fd: number, bytes: Buffer, offset: number, length: number, position: number): number =>
    writeSync(fd, bytes, offset, length, position),
  fsync: (fd: number, done: (error: NodeJS.ErrnoException | null) => void): void => fsync(fd, done),
  truncate: (fd: number, length: number): void => ftruncateSync(fd, length)
}

/** What an append-only file lost and cut back since it was opened, for the stats. */
export interface AppendStats {
  /** Appends that failed (a write or an fsync), answered with an error and not kept. */
  failedAppends: number
  /** Bytes cut from the end of the file: torn records left by a crash or by a failed write. */
  cutBytes: number
}

interface Waiter {
  end: number
  resolve: () => void
  reject: (error: Error) => void
  /** Called when what was written for this waiter will not be kept (newest first), before it is rejected. */
  lost?: () => void
}

/**
 * Durable before acknowledged, without one fsync per request on the event loop. fsyncSync blocked the whole process
 * for each request (4 ms and more on this machine's disk), so the local stack's three logs (the Segment logs, the
 * Personalize journal, the delivery log) spent half its time waiting on the disk. Here, writes still go to the file at
 * once (writeSync, in order), and each caller then awaits sync(): one fsync on libuv's thread pool covers every write
 * made before it started, and the callers that wrote while it ran share the next one (group commit, as databases do).
 *
 * An append-only file of whole records. A record is written in full at the end of the last good one, or not at all:
 * a write that stops short (fs.writeSync returns fewer bytes than asked on a full disk, without throwing) is
 * continued until every byte is written or the write throws, and a failed one is cut back (ftruncate) before it is
 * reported, so that no torn record is left for the next to follow. sync() is a group commit on positions: one fsync
 * covers everything written before it started. A failed fsync leaves the file's contents unknown, so the file is cut
 * back to what the last good fsync covered and every record written since is reported lost (newest first, so that
 * their callers can take back what they did in that order).
 */
export class AppendLog {
  readonly stats: AppendStats = { failedAppends: 0, cutBytes: 0 }
  private readonly fd: number
  /** Where the last whole record ends. */
  private end: number
  /** Where the last successful fsync's coverage ends. */
  private durable: number
  /** A failed write or cut left bytes past `end`: they are cut before the next write. */
  private torn = false
  private syncing = false
  private waiters: Waiter[] = []

  /** Opens `file` (created if missing) and cuts everything past `goodEnd`, where the last whole record ends. */
  constructor(
    readonly file: string,
    goodEnd?: number
  ) {
    this.fd = openSync(file, constants.O_RDWR | constants.O_CREAT)
    const size = fstatSync(this.fd).size
    this.end = Math.min(goodEnd ?? size, size)
    this.durable = this.end
    this.cut(this.end)
  }

  /** The size of the file's whole records. */
  get size(): number {
    return this.end
  }

  /** Writes a whole record, or throws with the file left as it was (the torn bytes cut, or cut before the next). */
  write(bytes: Buffer): void {
    let at = 0
    try {
      if (this.torn) this.cut(this.end)
      while (at < bytes.length) {
        const n = fileIo.write(this.fd, bytes, at, bytes.length - at, this.end + at)
        // A write that makes no progress would loop for ever: a full disk says so with ENOSPC on the next call.
        if (n <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
        at += n
      }
    } catch (error) {
      this.stats.failedAppends++
      if (at > 0) {
        this.torn = true
        try {
          this.cut(this.end)
        } catch {
          // cut before the next write
        }
      }
      throw error
    }
    this.end += bytes.length
  }

  /** Takes back the records written since the file was `end` long (not yet synced; a later record failed). */
  truncate(end: number): void {
    this.end = Math.max(this.durable, Math.min(end, this.end))
    this.cut(this.end)
  }

  private cut(end: number): void {
    const size = fstatSync(this.fd).size
    if (size > end) {
      fileIo.truncate(this.fd, end)
      this.stats.cutBytes += size - end
    }
    this.torn = false
  }

  /** Resolves once everything written so far is on disk; rejects (after calling `lost`) if it will not be kept. */
  sync(lost?: () => void): Promise<void> {
    if (this.end <= this.durable && !this.syncing && this.waiters.length === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ end: this.end, resolve, reject, lost })
      this.flush()
    })
  }

  private flush(): void {
    if (this.syncing || this.waiters.length === 0) return
    this.syncing = true
    const covered = this.end
    fileIo.fsync(this.fd, (error) => {
      this.syncing = false
      if (error) return this.lose(error)
      this.durable = Math.max(this.durable, covered)
      while (this.waiters[0] && this.waiters[0].end <= covered) this.waiters.shift()!.resolve()
      this.flush()
    })
  }

  private lose(error: Error): void {
    // Waiters for what an earlier fsync covered are answered; the others' records are cut.
    const kept = this.waiters.filter((waiter) => waiter.end <= this.durable)
    const lost = this.waiters.filter((waiter) => waiter.end > this.durable)
    this.waiters = []
    for (const waiter of kept) waiter.resolve()
    this.stats.failedAppends += lost.length
    this.end = this.durable
    try {
      this.cut(this.end)
    } catch {
      this.torn = true
    }
    for (const waiter of [...lost].reverse()) waiter.lost?.()
    for (const waiter of lost) waiter.reject(error)
  }

  /** Waits for the fsyncs under way, then closes the file. */
  async close(): Promise<void> {
    await this.sync().catch(() => undefined)
    closeSync(this.fd)
  }
}
