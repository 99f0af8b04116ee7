// Durable before acknowledged, without one fsync per request on the event loop. fsyncSync blocked the whole process
// for each request (4 ms and more on this machine's disk), so the local stack's three logs (the Segment logs, the
// Personalize journal, the delivery log) spent half its time waiting on the disk. Here, writes still go to the file at
// once (writeSync, in order), and each caller then awaits sync(): one fsync on libuv's thread pool covers every write
// made before it started, and the callers that wrote while it ran share the next one (group commit, as databases do).
import { fsync } from 'node:fs'

export class GroupCommit {
  private running: Promise<void> | undefined
  private waiting: Promise<void> | undefined

  constructor(private readonly fd: number) {}

  /** Resolves once everything written to the file before this call is on disk; rejects if the fsync failed. */
  sync(): Promise<void> {
    if (!this.running) {
      this.running = new Promise<void>((resolve, reject) =>
        fsync(this.fd, (error) => (error ? reject(error) : resolve()))
      ).finally(() => (this.running = undefined))
      return this.running
    }
    // The fsync under way may have started before this caller's write: wait for the next one, shared with the
    // other callers that arrive meanwhile.
    this.waiting ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.waiting = undefined
        return this.sync()
      })
    return this.waiting
  }
}
