import { Writable } from 'node:stream'
import { describeProgress } from '../progress'
import { replay } from '../replay'
import { streamSink } from '../sinks/stream'
import { FROM, parseLines, testOptions } from './fixtures'

function memory() {
  const chunks: Buffer[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk))
      done()
    }
  })
  return { stream, lines: () => parseLines(Buffer.concat(chunks)) }
}

test('--rate streams the last day at the rate, each message stamped when it is sent', async () => {
  const out = memory()
  const options = { ...testOptions({ usersPerDay: 3 }), from: FROM - 5, to: FROM, rate: 400 }
  const started = Date.now()
  await replay(options, streamSink(out.stream), () => undefined)
  const elapsed = Date.now() - started
  const lines = out.lines()
  expect(lines.length).toBeGreaterThan(40)
  // n messages at 400/s take about n/400 s: not all at once, not much slower.
  expect(elapsed).toBeGreaterThanOrEqual(((lines.length - 1) / 400) * 1000 - 50)
  expect(elapsed).toBeLessThan((lines.length / 400) * 1000 + 3000)
  const times = lines.map((line) => Date.parse(line.originalTimestamp))
  expect(Math.min(...times)).toBeGreaterThanOrEqual(started - 5)
  expect(Math.max(...times)).toBeLessThanOrEqual(Date.now())
})

test('a live stream stops when asked (Ctrl-C), with what was sent flushed', async () => {
  // Asked to stop once 20 messages are out, however slow the machine: no timer decides what "soon" is. A stalled
  // machine may catch up with several due messages in one write, so "stopped" is: no write after the one that asked.
  const stop = new AbortController()
  const chunks: Buffer[] = []
  let writesAfterStop = 0
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (stop.signal.aborted) writesAfterStop++
      chunks.push(Buffer.from(chunk))
      if (parseLines(Buffer.concat(chunks)).length >= 20) stop.abort()
      done()
    }
  })
  const options = { ...testOptions({ usersPerDay: 50 }), to: FROM, rate: 100, signal: stop.signal }
  const summary = await replay(options, streamSink(stream), () => undefined)
  const sent = parseLines(Buffer.concat(chunks)).length
  const whole = memory()
  await replay({ ...options, signal: undefined, rate: undefined }, streamSink(whole.stream), () => undefined)
  expect(sent).toBeGreaterThanOrEqual(20)
  expect(writesAfterStop).toBe(0)
  // At 100 a second, the day's hundreds of messages would take seconds more: it stopped before the day was out.
  expect(whole.lines().length).toBeGreaterThan(200)
  expect(sent).toBeLessThan(whole.lines().length)
  expect(summary).toBe(`${sent} messages to stdout`)
})

test('a live stream resumed at n goes on with the day’s messages from the n-th, as a restarted demo does', async () => {
  const whole = memory()
  const options = { ...testOptions({ usersPerDay: 3 }), from: FROM - 5, to: FROM, rate: 2000 }
  await replay(options, streamSink(whole.stream), () => undefined)
  const rest = memory()
  await replay({ ...options, resumeAt: 10 }, streamSink(rest.stream), () => undefined)
  const ids = (lines: Array<{ messageId: string }>) => lines.map((line) => line.messageId)
  expect(ids(rest.lines())).toEqual(ids(whole.lines()).slice(10))
})

test('the progress line: days, events, events/s', () => {
  const line = describeProgress({ days: 30, daysDone: 12, events: 345_678, startedAt: 0 }, 2000)
  expect(line).toBe(`${'█'.repeat(12)}${'░'.repeat(18)} 12/30 days · 345,678 events · 172,839 events/s`)
})
