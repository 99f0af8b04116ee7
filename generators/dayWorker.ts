// A worker thread of replayToFiles: generates the days it is sent and writes them as segment-logs files.
import { parentPort, workerData } from 'node:worker_threads'
import { generateDay } from './day'
import { makeModel, type ModelOptions } from './model'
import { writeDayFiles } from './sinks/segmentLogs'

export interface DayWorkerData {
  options: ModelOptions
  dir: string
}

export type DayResult = { day: number; events: number; files: number } | { day: number; error: string }

const { options, dir } = workerData as DayWorkerData
const model = makeModel(options)

parentPort!.on('message', (day: number) => {
  const messages = generateDay(model, day)
  writeDayFiles(dir, messages, day).then(
    (files) => parentPort!.postMessage({ day, events: messages.length, files } satisfies DayResult),
    (error: unknown) => parentPort!.postMessage({ day, error: (error as Error).message } satisfies DayResult)
  )
})
