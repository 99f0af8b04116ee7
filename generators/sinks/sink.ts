import type { Message } from '../messages'

/** Where a replay's messages go: segment-logs files, stdout, or Segment's Tracking API. */
export interface Sink {
  /** Takes one day's messages, in time order; resolves once they are written (or delivered). */
  write(messages: Message[], day: number): Promise<void>
  /** Finishes: flushes what is pending and says what happened. */
  close(): Promise<string>
  /** Stops after a failure or an interruption, leaving nothing half-written behind. */
  abort(): Promise<void>
}

/** A failure the user can act on: the command prints its message, without a stack trace, and exits non-zero. */
export class GeneratorError extends Error {
  override name = 'GeneratorError'
}

/** A file-system error as a sentence: what failed, where, and in words rather than an errno. */
export function describeFsError(error: unknown, path: string): GeneratorError {
  const code = (error as NodeJS.ErrnoException).code
  const reason =
    FS_REASONS[code ?? ''] ?? (error instanceof Error ? error.message : `unexpected error ${String(error)}`)
  return new GeneratorError(`Cannot write ${path}: ${reason}`)
}

const FS_REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a parent of it is a file, not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'a file is in the way'
}
