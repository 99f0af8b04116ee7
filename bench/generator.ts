// npm run bench -- generator
// The generator over the same 30 days with the default model, written as segment-logs files (gzip, worker threads)
// and as plain NDJSON (one thread, to /dev/null); the same over 7, 90 and 180 days, for memory as the range grows; and,
// in the same run, the workshop's Python generator over 30 days with its Segment client replaced by one that only
// writes JSON lines (bench/workshop/), when WORKSHOP_GENERATOR names its segment-event-generator.py (from
// github.com/james-jory/segment-personalize-workshop, data/; not part of this package).
// Each run is its own process (the built CLI), so peak memory is the run's own; the short runs are repeated three
// times and the median reported.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const ROOT = path.join(__dirname, '..')

interface Run {
  name: string
  days: number
  messages: number
  seconds: number
  peakMb: number
}

/** Runs a command, returning its stderr, wall time and peak RSS (from GNU time's format, or the child's own report). */
function measure(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; stdout?: 'ignore' } = {}
) {
  return new Promise<{ stderr: string; seconds: number }>((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0
        ? resolve({ stderr, seconds: (performance.now() - started) / 1000 })
        : reject(new Error(`${command} exited ${code}: ${stderr}`))
    )
  })
}

// The built CLI in a process that reports its peak RSS (worker threads included) when it ends.
const CLI = `const { main } = require(${JSON.stringify(path.join(ROOT, 'dist', 'cli', 'main.js'))});
main(process.argv.slice(1)).then((code) => {
  process.stderr.write('PEAK_RSS ' + process.resourceUsage().maxRSS + '\\n'); process.exitCode = code })`

async function generator(name: string, from: string, to: string, sink: string[]): Promise<Run> {
  const { stderr, seconds } = await measure(process.execPath, [
    '-e',
    CLI,
    'generate',
    '--from',
    from,
    '--to',
    to,
    ...sink
  ])
  const messages = Number(/: (\d+) messages/.exec(stderr)?.[1])
  const peakKb = Number(/PEAK_RSS (\d+)/.exec(stderr)?.[1])
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1
  return { name, days, messages, seconds, peakMb: peakKb / 1024 }
}

async function workshop(script: string, days: number): Promise<Run> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'workshop-generator-'))
  try {
    // It generates every day from the date given to today, exclusive.
    const from = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10)
    const runner = path.join(__dirname, 'workshop', 'run.py')
    const env = { ...process.env, WORKSHOP_OUT: path.join(dir, 'out.ndjson') }
    const timed = ['-f', 'PEAK_RSS %M', 'python3', runner, script, from]
    const { stderr, seconds } = await measure('/usr/bin/time', timed, { cwd: dir, env })
    const messages = Number(/EVENTS (\d+)/.exec(stderr)?.[1])
    const peakKb = Number(/PEAK_RSS (\d+)/.exec(stderr)?.[1])
    return {
      name: 'workshop segment-event-generator.py → JSON lines (stub client)',
      days,
      messages,
      seconds,
      peakMb: peakKb / 1024
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The run with the median wall time of `times` runs (short runs on this machine vary by ±20%). */
async function median(times: number, run: () => Promise<Run>): Promise<Run> {
  const runs: Run[] = []
  for (let n = 0; n < times; n++) runs.push(await run())
  return runs.sort((a, b) => a.seconds - b.seconds)[Math.floor(times / 2)]!
}

export async function benchGenerator(): Promise<void> {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT })
  const out = () => mkdtempSync(path.join(os.tmpdir(), 'generator-bench-'))
  const dirs: string[] = []
  const files = (name: string, from: string, to: string) => {
    const dir = out()
    dirs.push(dir)
    return generator(name, from, to, ['--out', dir])
  }
  const runs: Run[] = []
  try {
    const script = process.env.WORKSHOP_GENERATOR
    if (script) runs.push(await median(3, () => workshop(script, 30)))
    runs.push(await median(3, () => files('segment-logs files (gzip), 30 days', '2026-10-01', '2026-10-30')))
    const ndjson = () => generator('NDJSON to /dev/null (--stdout), 30 days', '2026-10-01', '2026-10-30', ['--stdout'])
    runs.push(await median(3, ndjson))
    runs.push(await median(3, () => files('segment-logs files, 7 days', '2026-10-01', '2026-10-07')))
    runs.push(await files('segment-logs files, 90 days', '2026-08-01', '2026-10-29'))
    // Past about day 90 the days stop growing (the population is steady): memory should not grow either.
    runs.push(await files('segment-logs files, 180 days', '2026-05-03', '2026-10-29'))
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }
  const baseline = runs.find((run) => run.name.startsWith('workshop'))
  console.log('\n## generator\n')
  console.log('| run | days | messages | wall s | messages/s | peak RSS MB | vs workshop |')
  console.log('| --- | --- | --- | --- | --- | --- | --- |')
  for (const run of runs) {
    const rate = run.messages / run.seconds
    const ratio = baseline ? `${(rate / (baseline.messages / baseline.seconds)).toFixed(1)}×` : 'n/a'
    console.log(
      `| ${run.name} | ${run.days} | ${run.messages} | ${run.seconds.toFixed(2)} | ${Math.round(rate)} | ${Math.round(run.peakMb)} | ${ratio} |`
    )
  }
}
