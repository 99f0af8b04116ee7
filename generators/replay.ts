// The replay: every day from --from to --to, generated and handed to the sink, or with --rate, the last day
// streamed live at a set pace with each message stamped as it is sent.
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { generateDay } from './day'
import type { DayResult, DayWorkerData } from './dayWorker'
import { makeModel, type ModelOptions } from './model'
import { describeFiles, segmentLogsSink } from './sinks/segmentLogs'
import { GeneratorError, type Sink } from './sinks/sink'

export interface ReplayOptions extends ModelOptions {
  /** The last day, inclusive (days since 1970-01-01, UTC). */
  to: number
  /** Messages per second: stream the last day live instead of replaying the range. */
  rate?: number
  /** Stops a live stream early (Ctrl-C). */
  signal?: AbortSignal
  /** With rate: the live day's messages already sent by an earlier stream, to go on from (npm start resumes). */
  resumeAt?: number
}

export interface Progress {
  days: number
  daysDone: number
  events: number
  startedAt: number
}

export async function replay(
  options: ReplayOptions,
  sink: Sink,
  onProgress: (progress: Progress) => void
): Promise<string> {
  const model = makeModel(options)
  const progress: Progress = {
    days: options.rate ? 1 : options.to - options.from + 1,
    daysDone: 0,
    events: 0,
    startedAt: performance.now()
  }
  try {
    if (options.rate) await stream(generateDay(model, options.to), options, sink, progress, onProgress)
    else {
      // Writing a day (compression, disk, network) overlaps generating the next one.
      let writing = Promise.resolve()
      // Ctrl-C stops after the day being written: every file is complete, the summary says how far it got.
      for (let day = options.from; day <= options.to && !options.signal?.aborted; day++) {
        const messages = generateDay(model, day)
        await writing
        writing = sink.write(messages, day).then(() => {
          progress.daysDone++
          progress.events += messages.length
          onProgress(progress)
        })
      }
      await writing
    }
  } catch (error) {
    await sink.abort()
    throw error
  }
  return sink.close()
}

/** Sends the day's messages at `rate` per second, in order, each stamped with the moment it goes out. */
async function stream(
  messages: ReturnType<typeof generateDay>,
  options: ReplayOptions,
  sink: Sink,
  progress: Progress,
  onProgress: (progress: Progress) => void
): Promise<void> {
  const rate = options.rate!
  const start = Date.now()
  const first = Math.min(options.resumeAt ?? 0, messages.length)
  let sent = first
  while (sent < messages.length && !options.signal?.aborted) {
    const due = Math.min(messages.length, first + Math.floor(((Date.now() - start) / 1000) * rate) + 1)
    if (due > sent) {
      const batch = messages.slice(sent, due)
      const now = Date.now()
      for (const message of batch) message.at = now
      await sink.write(batch, options.to)
      sent = due
      progress.events = sent
      onProgress(progress)
    } else {
      await sleep(Math.max(1, ((sent - first + 1) / rate) * 1000 - (Date.now() - start)), undefined, {
        signal: options.signal
      }).catch(() => undefined)
    }
  }
  progress.daysDone = 1
}

/**
 * A replay to segment-logs files, its days spread over worker threads (one per core by default): days are
 * independent (see random.ts), so each worker generates and writes whole days, and the files are the same, byte for
 * byte, whatever the number of workers.
 */
export async function replayToFiles(
  options: ReplayOptions,
  dir: string,
  onProgress: (progress: Progress) => void,
  workers = Math.min(os.availableParallelism(), options.to - options.from + 1)
): Promise<string> {
  if (workers <= 1) return replay(options, segmentLogsSink(dir), onProgress)
  const progress: Progress = {
    days: options.to - options.from + 1,
    daysDone: 0,
    events: 0,
    startedAt: performance.now()
  }
  const { signal, ...modelOptions } = options
  const data: DayWorkerData = { options: modelOptions, dir }
  const pool = Array.from({ length: workers }, () => startWorker(data))
  let next = options.from
  let files = 0
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            // One day at a time: two each (one generating while the thread pool compresses the other) measured no
            // faster on two cores, with a third more memory (docs/performance.md#generator).
            const send = () => (next <= options.to && !signal?.aborted ? worker.postMessage(next++) : resolve())
            worker.on('message', (result: DayResult) => {
              if ('error' in result) return reject(new GeneratorError(result.error))
              files += result.files
              progress.daysDone++
              progress.events += result.events
              onProgress(progress)
              send()
            })
            worker.once('error', reject)
            worker.once('exit', (code) => reject(new GeneratorError(`a generator worker stopped (exit code ${code})`)))
            send()
          })
      )
    )
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()))
  }
  return describeFiles(dir, progress.events, files)
}

/** A dayWorker thread: built, the .js beside this file; from the TypeScript sources (tsx, jest), its .ts through tsx. */
function startWorker(data: DayWorkerData): Worker {
  if (!__filename.endsWith('.ts')) return new Worker(path.join(__dirname, 'dayWorker.js'), { workerData: data })
  const source = JSON.stringify(path.join(__dirname, 'dayWorker.ts'))
  return new Worker(`require('tsx/cjs'); require(${source})`, { eval: true, workerData: data })
}
