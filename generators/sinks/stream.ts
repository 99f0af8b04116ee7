// --stdout: plain newline-delimited JSON, one message per line, for pipes (jq, a Kafka producer, a file).
import type { Writable } from 'node:stream'
import { Lines, type Message } from '../messages'
import { GeneratorError, type Sink } from './sink'

/** The reader went away (`| head`): not a failure, so the command stops quietly. */
export class OutputClosed extends GeneratorError {}

export function streamSink(stream: Writable, name = 'stdout'): Sink {
  let events = 0
  // Errors can also arrive outside a write (a pipe closing); keep the first so the next write reports it.
  let failure: Error | undefined
  const onError = (error: Error) => (failure ??= error)
  stream.on('error', onError)
  const fail = (error: NodeJS.ErrnoException): GeneratorError =>
    error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED'
      ? new OutputClosed(`${name} was closed after ${events} messages`)
      : new GeneratorError(
          `Cannot write to ${name}: ${error.code === 'ENOSPC' ? 'no space left on the device' : error.message}`
        )
  return {
    async write(messages: Message[]) {
      if (failure) throw fail(failure)
      const lines = new Lines()
      for (const message of messages) lines.add(message)
      const text = lines.bytes()
      // The callback fires once the data is handed to the OS, with the error if that failed (ENOSPC, EPIPE).
      await new Promise<void>((resolve, reject) =>
        stream.write(text, (error) => (error ? reject(fail(error)) : resolve()))
      )
      events += messages.length
    },
    close() {
      stream.off('error', onError)
      return Promise.resolve(`${events} messages to ${name}`)
    },
    abort() {
      stream.off('error', onError)
      return Promise.resolve()
    }
  }
}
