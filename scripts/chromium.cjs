// Debian's Chromium for the browser tests (test/browser.ts drives it with playwright-core, which downloads no browser:
// https://playwright.dev/docs/api/class-browsertype#browser-type-launch-option-executable-path; this machine, a
// developer's and CI reach Debian's packages but no browser download site). Found, or installed with
// `apt-get install -y chromium` where that can work (root, with apt); otherwise the message says exactly what to run.
//
//   node scripts/chromium.cjs             find or install it; exit 1 with the command to run when neither works
//   node scripts/chromium.cjs --if-possible   the same, but exit 0 (npm test: the browser tests then fail saying so)
//
// Plain CommonJS with no dependencies: `npm test` runs it before anything else (scripts/ensure.cjs), and
// test/browser.ts imports it (types in chromium.d.cts).
'use strict'
const { spawnSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

/** Where Debian's package puts it (https://packages.debian.org/stable/chromium). */
const DEBIAN_CHROMIUM = '/usr/bin/chromium'
const INSTALL = 'apt-get install -y chromium'
// apt-get's own lock waits are per command; two jest workers (or two runs) asking at once wait for each other here.
const LOCK = path.join(os.tmpdir(), 'segment-personalize-chromium.lock')
const LOCK_WAIT_MS = 20 * 60 * 1000

class ChromiumError extends Error {
  name = 'ChromiumError'
}

const executable = (file) => {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/**
 * `CHROMIUM_PATH` when set (it must exist), else /usr/bin/chromium, else a `chromium` on PATH. `debian` moves
 * /usr/bin/chromium, for tests.
 */
function findChromium(debian = DEBIAN_CHROMIUM) {
  const chosen = process.env.CHROMIUM_PATH
  if (chosen) return executable(chosen) ? chosen : undefined
  if (executable(debian)) return debian
  return whichOnPath('chromium')
}

/** The first executable `command` in a folder of PATH, as a shell finds it. */
const whichOnPath = (command) =>
  (process.env.PATH || '')
    .split(path.delimiter)
    .map((dir) => dir && path.join(dir, command))
    .find((file) => file && executable(file))

const onPath = (command) => whichOnPath(command) !== undefined

/** apt-get can install packages only as root on a machine that has apt (Debian, Ubuntu). */
const canUseApt = () => typeof process.getuid === 'function' && process.getuid() === 0 && onPath('apt-get')

/** Whether the tests may install Chromium themselves: apt works, and no CHROMIUM_PATH names another one. */
function canInstall() {
  return canUseApt() && !process.env.CHROMIUM_PATH
}

/**
 * `apt-get update && apt-get install -y <pkg>` (update first: a fresh machine's package lists may be empty). Returns
 * undefined, or what failed with the last lines apt-get said.
 */
function aptGetInstall(pkg) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  for (const args of [['update'], ['install', '-y', pkg]]) {
    const result = spawnSync('apt-get', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    if (result.status !== 0) {
      const said = `${result.stderr || ''}${result.error ? result.error.message : ''}`.trim().split('\n').slice(-5)
      return `apt-get ${args.join(' ')} failed (${said.join(' / ')})`
    }
  }
  return undefined
}

/** What the developer should run, when the tests cannot install it themselves. */
function neededMessage() {
  if (process.env.CHROMIUM_PATH)
    return `Chromium is needed for the browser tests: CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable file`
  if (!onPath('apt-get'))
    return `Chromium is needed for the browser tests: install Chromium and set CHROMIUM_PATH to its executable (on Debian or Ubuntu: sudo ${INSTALL})`
  return `Chromium is needed for the browser tests: sudo ${INSTALL}`
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

const alive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}

/** Holds LOCK while `work` runs; a lock whose process has died is taken over. */
function withLock(work) {
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      fs.mkdirSync(LOCK)
      break
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
      let holder = NaN
      try {
        holder = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8'))
      } catch {
        // Just made: its pid is not written yet.
      }
      if (Number.isInteger(holder) && !alive(holder)) fs.rmSync(LOCK, { recursive: true, force: true })
      else if (Date.now() > deadline) throw new ChromiumError(`waited ${LOCK_WAIT_MS / 60000} minutes for ${LOCK}`)
      else sleep(1000)
    }
  }
  try {
    fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid))
    return work()
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true })
  }
}

/** Installs Debian's chromium with apt-get. Returns its path, or throws with what apt-get said and what to run. */
function installChromium(log = (line) => process.stderr.write(`${line}\n`), debian = DEBIAN_CHROMIUM) {
  return withLock(() => {
    const found = findChromium(debian)
    if (found) return found // another process installed it while this one waited
    log(`Chromium is needed for the browser tests; installing Debian's: apt-get update && ${INSTALL}`)
    const failed = aptGetInstall('chromium')
    if (failed) throw new ChromiumError(`${failed}. ${neededMessage()}`)
    const installed = findChromium(debian)
    if (!installed) throw new ChromiumError(`${INSTALL} ran but ${debian} is missing. ${neededMessage()}`)
    log(`Chromium installed: ${installed}`)
    return installed
  })
}

/** The Chromium to launch: found, or installed when possible; throws with the command to run otherwise. */
function ensureChromium(log) {
  const found = findChromium()
  if (found) return found
  if (!canInstall()) throw new ChromiumError(neededMessage())
  return installChromium(log)
}

module.exports = {
  ChromiumError,
  DEBIAN_CHROMIUM,
  findChromium,
  canInstall,
  canUseApt,
  aptGetInstall,
  onPath,
  neededMessage,
  installChromium,
  ensureChromium
}

if (require.main === module) {
  try {
    ensureChromium()
  } catch (error) {
    process.stderr.write(`${error.message}\n`)
    process.exitCode = process.argv.includes('--if-possible') ? 0 : 1
  }
}
