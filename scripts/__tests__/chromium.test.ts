// scripts/chromium.cjs and test/browser.ts: the install, and when Chromium is missing and cannot be installed, the
// browser tests fail with the command to run (never skip, never pass). CHROMIUM_PATH, a fake apt-get first on PATH and
// another place for /usr/bin/chromium stand in for the machine's state, so nothing here installs or launches anything.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { canInstall, findChromium, installChromium, neededMessage } from '../chromium.cjs'
import { launchChromium } from '../../test/browser'

const SCRIPT = path.join(__dirname, '..', 'chromium.cjs')
let dir: string
let saved: NodeJS.ProcessEnv

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'chromium-'))
  for (const name of ['chromium', 'apt-get']) {
    writeFileSync(path.join(dir, name), '#!/bin/sh\nexit 0\n')
    chmodSync(path.join(dir, name), 0o755)
  }
})
beforeEach(() => (saved = { ...process.env }))
afterEach(() => (process.env = saved))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('CHROMIUM_PATH wins, and a missing one is never installed over', () => {
  process.env.CHROMIUM_PATH = path.join(dir, 'chromium')
  expect(findChromium()).toBe(path.join(dir, 'chromium'))
  process.env.CHROMIUM_PATH = path.join(dir, 'absent')
  expect(findChromium()).toBeUndefined()
  expect(canInstall()).toBe(false)
  expect(neededMessage()).toBe(
    `Chromium is needed for the browser tests: CHROMIUM_PATH=${path.join(dir, 'absent')} is not an executable file`
  )
})

test('the message names the command: sudo apt-get where there is apt, else what to install', () => {
  delete process.env.CHROMIUM_PATH
  process.env.PATH = dir // a fake apt-get
  expect(neededMessage()).toBe('Chromium is needed for the browser tests: sudo apt-get install -y chromium')
  process.env.PATH = path.join(dir, 'empty')
  expect(neededMessage()).toBe(
    'Chromium is needed for the browser tests: install Chromium and set CHROMIUM_PATH to its executable (on Debian or Ubuntu: sudo apt-get install -y chromium)'
  )
})

test('a browser test fails with that message', async () => {
  process.env.CHROMIUM_PATH = path.join(dir, 'absent')
  await expect(launchChromium()).rejects.toThrow(
    `Chromium is needed for the browser tests: CHROMIUM_PATH=${path.join(dir, 'absent')} is not an executable file`
  )
})

test('the command: exit 1 with the message; --if-possible (npm test) says it and goes on', () => {
  const env = { ...process.env, CHROMIUM_PATH: path.join(dir, 'absent') }
  const strict = spawnSync(process.execPath, [SCRIPT], { env, encoding: 'utf8' })
  expect([strict.status, strict.stderr]).toEqual([1, `${neededMessageFor(env)}\n`])
  const lenient = spawnSync(process.execPath, [SCRIPT, '--if-possible'], { env, encoding: 'utf8' })
  expect([lenient.status, lenient.stderr]).toEqual([0, `${neededMessageFor(env)}\n`])
  const found = spawnSync(process.execPath, [SCRIPT], {
    env: { ...env, CHROMIUM_PATH: path.join(dir, 'chromium') },
    encoding: 'utf8'
  })
  expect([found.status, found.stderr]).toEqual([0, ''])
})

function neededMessageFor(env: NodeJS.ProcessEnv): string {
  return `Chromium is needed for the browser tests: CHROMIUM_PATH=${env.CHROMIUM_PATH} is not an executable file`
}

/** A fake apt-get that logs its calls and, on install, puts an executable where Debian's chromium would be. */
function fakeApt(target: string, failInstall = false): { bin: string; calls: () => string[] } {
  const bin = mkdtempSync(path.join(dir, 'apt-'))
  const log = path.join(bin, 'calls')
  const install = failInstall
    ? 'echo "E: Unable to locate package chromium" >&2; exit 100'
    : `printf '#!/bin/sh\\n' > ${target}; /bin/chmod 755 ${target}`
  writeFileSync(
    path.join(bin, 'apt-get'),
    `#!/bin/sh\necho "$DEBIAN_FRONTEND $*" >> ${log}\nif [ "$1" = install ]; then ${install}; fi\nexit 0\n`
  )
  chmodSync(path.join(bin, 'apt-get'), 0o755)
  return { bin, calls: () => readFileSync(log, 'utf8').trim().split('\n') }
}

test('the install: apt-get update, then install -y chromium, non-interactive; its path once it is there', () => {
  delete process.env.CHROMIUM_PATH
  const target = path.join(mkdtempSync(path.join(dir, 'usr-bin-')), 'chromium')
  const apt = fakeApt(target)
  process.env.PATH = apt.bin
  const said: string[] = []
  expect(findChromium(target)).toBeUndefined()
  expect(installChromium((line) => said.push(line), target)).toBe(target)
  expect(apt.calls()).toEqual(['noninteractive update', 'noninteractive install -y chromium'])
  expect(said).toEqual([
    "Chromium is needed for the browser tests; installing Debian's: apt-get update && apt-get install -y chromium",
    `Chromium installed: ${target}`
  ])
  // Found now: a second call (another jest worker, after the lock) installs nothing.
  expect(installChromium(() => undefined, target)).toBe(target)
  expect(apt.calls()).toHaveLength(2)
})

test('a failed install says what apt-get said and what to run', () => {
  delete process.env.CHROMIUM_PATH
  const target = path.join(dir, 'never', 'chromium')
  mkdirSync(path.dirname(target))
  const apt = fakeApt(target, true)
  process.env.PATH = apt.bin
  expect(() => installChromium(() => undefined, target)).toThrow(
    'apt-get install -y chromium failed (E: Unable to locate package chromium). Chromium is needed for the browser tests: sudo apt-get install -y chromium'
  )
  expect(existsSync(target)).toBe(false)
})
