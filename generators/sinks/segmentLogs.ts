// --out <dir>: the layout Segment's S3 destination writes, so the backfill reads a replay exactly as it reads a real
// bucket: <dir>/segment-logs/<source-id>/<received-day>/<file>.gz, gzip-compressed newline-delimited JSON, one
// full message per line. <received-day> is the epoch milliseconds of 00:00 UTC of the day Segment received the
// message (not the day it happened). https://segment.com/docs/connections/storage/catalog/aws-s3/
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import { DAY_MS, formatDay } from '../calendar'
import { Lines, receivedDay, type Message } from '../messages'
import { describeFsError, type Sink } from './sink'

const gzip = promisify(zlib.gzip)

// Level 1 with the filtered strategy: the fastest setting that still compresses these logs about 8×. Compression
// runs on libuv's thread pool, beside the generator on the main thread; a large chunk size saves the round trips to
// the main thread that zlib's default 16 KB makes.
const GZIP_OPTIONS: zlib.ZlibOptions = {
  level: 1,
  strategy: zlib.constants.Z_FILTERED,
  memLevel: 9,
  chunkSize: 4 * 1024 * 1024
}

// Messages per file. Segment rolls its files too (hourly, up to 100 MB); smaller files let the thread pool compress
// several at once.
const MESSAGES_PER_FILE = 4000

// A little more than the average line (about 1,070 bytes): most files fit their buffer without growing it.
const BYTES_PER_LINE = 1280

/**
 * The path of one of a day's files for a source and received day. File names are opaque to readers; ours name the
 * day the messages were generated for and a sequence number.
 */
export function logFile(dir: string, sourceId: string, received: number, day: number, part: number): string {
  return path.join(dir, 'segment-logs', sourceId, String(received * DAY_MS), `${formatDay(day)}-${part}.gz`)
}

/** Written to a temporary name beside the final one and renamed when complete: a reader never sees half a file. */
async function writeAtomically(file: string, data: Buffer): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.partial`)
  try {
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(temporary, data)
    await rename(temporary, file)
  } catch (error) {
    // Best effort: where the write failed, removing may fail too (a file where a folder should be).
    await rm(temporary, { force: true }).catch(() => undefined)
    throw describeFsError(error, file)
  }
}

/** Writes one generated day as segment-logs files; returns how many files. */
export async function writeDayFiles(dir: string, messages: Message[], day: number): Promise<number> {
  // Messages by file first (sourceId + received day, then every MESSAGES_PER_FILE), so that each file's buffer can
  // be sized to its messages.
  const files: Array<{ path: string; messages: Message[] }> = []
  const open = new Map<string, { messages: Message[]; part: number }>()
  for (const message of messages) {
    const { sourceId } = message.sender.source
    const received = receivedDay(message)
    const key = sourceId + received
    let file = open.get(key)
    if (!file || file.messages.length === MESSAGES_PER_FILE) {
      const part = file ? file.part + 1 : 0
      file = { messages: [], part }
      open.set(key, file)
      files.push({ path: logFile(dir, sourceId, received, day, part), messages: file.messages })
    }
    file.messages.push(message)
  }
  // Every write runs to its end before a failure is reported, so that none is still half-written afterwards.
  const results = await Promise.allSettled(
    files.map(async ({ path: file, messages: contents }) => {
      const lines = new Lines(contents.length * BYTES_PER_LINE)
      for (const message of contents) lines.add(message)
      await writeAtomically(file, await gzip(lines.bytes(), GZIP_OPTIONS))
    })
  )
  const failure = results.find((result) => result.status === 'rejected')
  if (failure) throw failure.reason
  return files.length
}

export function describeFiles(dir: string, events: number, files: number): string {
  return `${events} messages in ${files} files under ${path.join(dir, 'segment-logs')}`
}

/** The segment-logs sink on the calling thread (replayToFiles spreads days over worker threads instead). */
export function segmentLogsSink(dir: string): Sink {
  let written = 0
  let events = 0
  return {
    async write(messages: Message[], day: number) {
      written += await writeDayFiles(dir, messages, day)
      events += messages.length
    },
    close() {
      return Promise.resolve(describeFiles(dir, events, written))
    },
    // Nothing to undo: each file is written whole or not at all (writeAtomically).
    abort() {
      return Promise.resolve()
    }
  }
}
