import { execFile, spawn } from 'node:child_process'
import { openSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { parseDay } from '../../../generators/calendar'
import { defaultSource } from '../../../generators/sources'
import { parseGenerate } from '..'

const TODAY = parseDay('today', '2026-11-23')
const parse = (values: Record<string, string | boolean | string[]>) => parseGenerate(values, TODAY)

describe('flags', () => {
  test('defaults: the 30 days up to yesterday, every source, the default model', () => {
    const { sink, options } = parse({ stdout: true })
    expect(sink).toBe('stdout')
    expect([options.from, options.to]).toEqual([TODAY - 30, TODAY - 1])
    expect(options.sources.map((source) => source.name)).toEqual(['web', 'ios', 'android', 'email'])
    expect(options).toMatchObject({ seed: 1, usersPerDay: 1000, sessionsPerUser: 1.3, catalogueSize: 50 })
    expect(options.mix).toEqual({ views: 4, click: 0.5, add: 0.25, order: 0.5 })
  })

  test('--rate streams today by default', () => {
    const { options } = parse({ stdout: true, rate: '20' })
    expect([options.to, options.rate]).toEqual([TODAY, 20])
  })

  test('every model flag is read', () => {
    const { options } = parse({
      out: '/tmp/x',
      from: '2026-01-01',
      to: '2026-01-31',
      seed: '7',
      'users-per-day': '20',
      'sessions-per-user': '2.5',
      catalogue: '500',
      mix: 'views=6,order=0.9',
      sources: 'web,email',
      compat: 'workshop',
      'write-key': ['web=abcDEF123_-'],
      'source-id': ['email=EMAILSRC01']
    })
    expect(options).toMatchObject({
      from: parseDay('', '2026-01-01'),
      to: parseDay('', '2026-01-31'),
      seed: 7,
      usersPerDay: 20,
      sessionsPerUser: 2.5,
      catalogueSize: 500,
      mix: { views: 6, click: 0.5, add: 0.25, order: 0.9 },
      compat: 'workshop'
    })
    expect(options.sources).toEqual([
      { ...defaultSource('web'), writeKey: 'abcDEF123_-' },
      { ...defaultSource('email'), sourceId: 'EMAILSRC01' }
    ])
  })

  // Each bad input and the message it gets.
  test.each<[string, Record<string, string | boolean | string[]>, string]>([
    ['no sink', {}, 'Choose where the messages go: one of --out <dir>, --stdout, --host <url>'],
    ['two sinks', { stdout: true, out: 'x' }, 'Choose where the messages go'],
    [
      '--from after --to',
      { stdout: true, from: '2026-05-02', to: '2026-05-01' },
      '--from 2026-05-02 is after --to 2026-05-01'
    ],
    [
      'a malformed date',
      { stdout: true, from: '2026/05/01' },
      '--from must be a date as YYYY-MM-DD (UTC), not "2026/05/01"'
    ],
    [
      'a date that does not exist',
      { stdout: true, to: '2026-02-29' },
      '--to must be a date as YYYY-MM-DD (UTC), not "2026-02-29"'
    ],
    [
      'a future --to',
      { stdout: true, to: '2026-12-01' },
      '--to 2026-12-01 is in the future (today is 2026-11-23, UTC)'
    ],
    ['--rate with --out', { out: 'x', rate: '10' }, '--rate streams live: use it with --stdout or --host, not --out'],
    ['a zero rate', { stdout: true, rate: '0' }, '--rate must be a number above 0, not "0"'],
    [
      'a fractional seed',
      { stdout: true, seed: '1.5' },
      '--seed must be a whole number of at least 0 and at most 4294967295, not "1.5"'
    ],
    [
      'a huge seed',
      { stdout: true, seed: '4294967296' },
      '--seed must be a whole number of at least 0 and at most 4294967295'
    ],
    [
      'no users',
      { stdout: true, 'users-per-day': '0' },
      '--users-per-day must be a whole number of at least 1, not "0"'
    ],
    [
      'a word for a number',
      { stdout: true, catalogue: 'fifty' },
      '--catalogue must be a whole number of at least 1, not "fifty"'
    ],
    ['an unknown mix key', { stdout: true, mix: 'buy=0.5' }, '--mix takes views, click, add, order, not "buy"'],
    ['a mix rate above 1', { stdout: true, mix: 'add=1.5' }, '--mix add must be from 0 to 1, not "1.5"'],
    ['an unknown source', { stdout: true, sources: 'web,tv' }, '--sources takes web, ios, android, email, not "tv"'],
    ['email alone', { stdout: true, sources: 'email' }, '--sources needs at least one of web, ios, android'],
    [
      'a bad write key',
      { stdout: true, 'write-key': ['web=bad key'] },
      '--write-key for web must be 1 to 100 letters, digits, - or _, not "bad key"'
    ],
    ['an empty write key', { stdout: true, 'write-key': ['web='] }, '--write-key for web must be 1 to 100 letters'],
    ['a write key without a source', { stdout: true, 'write-key': ['abc'] }, '--write-key takes <source>=<value>'],
    ['an unknown compat', { stdout: true, compat: 'glue' }, '--compat takes "workshop", not "glue"']
  ])('%s: %s', (_, values, message) => {
    expect(() => parse(values)).toThrow(message)
  })
})

describe('the command', () => {
  const CLI = path.join(__dirname, '..', '..', 'main.ts')
  const run = promisify(execFile)
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', CLI, 'generate', ...args], { timeout: 60_000 })

  test('bad input: the message and exit code 2, no stack trace', async () => {
    const failure = cli('--stdout', '--from', '2026-05-02', '--to', '2026-05-01')
    await expect(failure).rejects.toMatchObject({ code: 2, stderr: '--from 2026-05-02 is after --to 2026-05-01\n' })
  })

  test('an unreachable host: exit 1 with the reason', async () => {
    await expect(
      cli('--host', 'http://127.0.0.1:9', '--from', '2026-05-01', '--to', '2026-05-01')
    ).rejects.toMatchObject({
      code: 1,
      stderr: 'Cannot reach http://127.0.0.1:9: ECONNREFUSED\n'
    })
  })

  test('--stdout writes NDJSON and, off a terminal, one summary line', async () => {
    const { stdout, stderr } = await cli(
      '--stdout',
      '--from',
      '2026-05-01',
      '--to',
      '2026-05-02',
      '--users-per-day',
      '20'
    )
    const lines = stdout.trim().split('\n')
    expect(lines.length).toBeGreaterThan(100)
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('messageId')
    expect(stderr).toMatch(
      new RegExp(`^generated 2026-05-01\\.\\.2026-05-02: ${lines.length} messages to stdout in [\\d.]+ s\\n$`)
    )
  })

  test('--stdout to a full disk: exit 1 and says so', async () => {
    const full = openSync('/dev/full', 'w')
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, 'generate', '--stdout', '--from', '2026-05-01', '--to', '2026-05-01'],
      {
        stdio: ['ignore', full, 'pipe']
      }
    )
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(code).toBe(1)
    expect(stderr).toBe('Cannot write to stdout: no space left on the device\n')
  })

  test('a reader that stops early (| head) ends the run quietly', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, 'generate', '--stdout', '--from', '2026-05-01', '--to', '2026-05-30'],
      {
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.once('data', () => child.stdout.destroy())
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect([code, stderr]).toEqual([0, ''])
  })
})
