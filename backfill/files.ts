// The backfill's input: Segment history as its S3 destination writes it (segment-logs/<source>/<day>/*.gz) or plain
// newline-delimited JSON, found under a folder; and a check of every gzip file, because DuckDB reads a truncated one
// silently up to where it breaks.
import { createReadStream } from 'node:fs'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Writable } from 'node:stream'
import zlib from 'node:zlib'

const INPUT = /\.(gz|json|ndjson|jsonl)$/

/** Every log file under `dir`, sorted. */
export async function logFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile() && INPUT.test(entry.name) && !entry.name.startsWith('.'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort()
}

export interface GzipProblem {
  file: string
  /** `truncated`: readable up to where it ends; `corrupt`: not readable at all. */
  kind: 'truncated' | 'corrupt'
  detail: string
}

/** Inflates each .gz file to nowhere, a few at a time on libuv's pool, and reports the ones that are damaged. */
export async function checkGzipFiles(files: string[], concurrency = 4): Promise<GzipProblem[]> {
  const gz = files.filter((file) => file.endsWith('.gz'))
  const problems: GzipProblem[] = []
  let next = 0
  const worker = async () => {
    while (next < gz.length) {
      const file = gz[next++]!
      let inflated = 0
      try {
        await pipeline(
          createReadStream(file),
          zlib.createGunzip(),
          new Writable({
            write(chunk: Buffer, _encoding, done) {
              inflated += chunk.length
              done()
            }
          })
        )
      } catch (error) {
        const { code, message } = error as NodeJS.ErrnoException
        problems.push({ file, kind: code === 'Z_BUF_ERROR' && inflated > 0 ? 'truncated' : 'corrupt', detail: message })
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return problems.sort((a, b) => a.file.localeCompare(b.file))
}
