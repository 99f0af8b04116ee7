// node scripts/ensure.cjs [--chromium]: makes a fresh clone ready for `npm start` and `npm test`, which run it first.
//
// - Installs the dependencies when node_modules is missing or does not match package-lock.json: `npm ci`, or
//   `npm install` when package.json and the lockfile disagree (a dependency edited by hand) or there is no lockfile.
//   npm runs a script's commands with node_modules/.bin on PATH whether or not it exists yet
//   (https://docs.npmjs.com/cli/v11/using-npm/scripts#path), so `node scripts/ensure.cjs && tsx …` finds tsx once
//   this has installed it. `npm ci` runs `prepare` (the build) after the dependencies are in place.
// - With --chromium, finds or installs the browser tests' Chromium (scripts/chromium.cjs); when it cannot, it says
//   what to run and goes on, and the browser tests fail with the same message.
// - With --aws-cli, finds the AWS CLI (`aws`, for test/awsCli.test.ts) or installs Debian's awscli where it can
//   (root, with apt); otherwise it says what to run and goes on, and that test fails.
// - Refuses a Node older than package.json's `engines` with a clear message (npm only warns about a package's own
//   engines: https://docs.npmjs.com/cli/v11/configuring-npm/package-json#engines).
//
// Plain CommonJS with no dependencies and no syntax newer than Node 14, because it runs before node_modules exists and
// must be able to say that a Node is too old.
'use strict'
const { spawnSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const ROOT = path.resolve(__dirname, '..')

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    if (error.code === 'ENOENT') return undefined
    throw error
  }
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']

const sameEntries = (a, b) => {
  const keys = Object.keys(Object.assign({}, a, b))
  return keys.every((key) => (a || {})[key] === (b || {})[key])
}

/** package-lock.json was written for this package.json: its root entry lists the same dependencies and ranges. */
function lockMatchesManifest(manifest, lock) {
  const root = lock && lock.packages && lock.packages['']
  if (!root) return false // no lockfile, or a v1 lockfile (npm 6) without `packages`
  return DEPENDENCY_FIELDS.every((field) => sameEntries(manifest[field], root[field]))
}

/**
 * Why node_modules does not match the lockfile, or undefined when it does: every package of the lockfile must be
 * installed in its version (optional ones may be missing: npm skips those a platform does not support), and nothing
 * else may be, as npm recorded in node_modules/.package-lock.json
 * (https://docs.npmjs.com/cli/v11/configuring-npm/package-lock-json#hidden-lockfiles). Versions are read from the
 * packages themselves: `npm install --package-lock-only` rewrites that record without installing anything.
 */
function staleReason(root, lock) {
  if (!fs.existsSync(path.join(root, 'node_modules'))) return 'node_modules is missing'
  const recorded = readJson(path.join(root, 'node_modules', '.package-lock.json'))
  if (!recorded || !recorded.packages) return 'node_modules has no record of an install (.package-lock.json)'
  const wanted = lock.packages
  for (const name of Object.keys(wanted)) {
    if (name === '') continue
    const entry = wanted[name]
    if (entry.link) {
      if (!recorded.packages[name] || recorded.packages[name].resolved !== entry.resolved)
        return `${name} is not linked`
      continue
    }
    const installed = readJson(path.join(root, name, 'package.json'))
    if (!installed) {
      if (entry.optional || entry.devOptional) continue
      return recorded.packages[name] ? `${name} was removed` : `${name} is not installed`
    }
    if (installed.version !== entry.version)
      return `${name} is ${installed.version}, package-lock.json wants ${entry.version}`
  }
  for (const name of Object.keys(recorded.packages)) {
    if (!(name in wanted)) return `${name} is installed but not in package-lock.json`
  }
  return undefined
}

/** npm as the running `npm` invoked it (same npm, same node), else the one on PATH. */
function npm(args) {
  const execpath = process.env.npm_execpath
  const [command, argv] =
    execpath && /\.[cm]?js$/.test(execpath)
      ? [process.execPath, [execpath].concat(args)]
      : [process.platform === 'win32' ? 'npm.cmd' : 'npm', args]
  const result = spawnSync(command, argv, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' })
  if (result.error) throw result.error
  return result.status === null ? 1 : result.status
}

/** A Node older than the oldest line `engines` names is refused; newer untested lines get a note. */
function checkNode(engines) {
  if (!engines) return true
  const current = process.versions.node.split('.').map(Number)
  const ranges = engines.split('||').map((range) => range.trim())
  const parse = (text) =>
    text
      .replace(/^[\^>=~]+/, '')
      .split('.')
      .map(Number)
  const compare = (a, b) => a[0] - b[0] || (a[1] || 0) - (b[1] || 0) || (a[2] || 0) - (b[2] || 0)
  const fits = ranges.some((range) => {
    const low = parse(range)
    if (range.startsWith('>=')) return compare(current, low) >= 0
    if (range.startsWith('^')) return current[0] === low[0] && compare(current, low) >= 0
    return current[0] === low[0]
  })
  if (fits) return true
  const oldest = ranges.map(parse).sort(compare)[0]
  if (compare(current, oldest) < 0) {
    process.stderr.write(
      `segment-personalize needs Node ${engines} (package.json engines); this is ${process.version}.\n`
    )
    return false
  }
  process.stderr.write(`Note: Node ${process.version} is newer than the lines tested (${engines}); see docs/node.md.\n`)
  return true
}

function main(args) {
  const manifest = readJson(path.join(ROOT, 'package.json'))
  if (!checkNode(manifest.engines && manifest.engines.node)) return 1
  const lock = readJson(path.join(ROOT, 'package-lock.json'))
  if (!lockMatchesManifest(manifest, lock)) {
    const why = lock ? 'package-lock.json does not match package.json' : 'there is no package-lock.json'
    process.stderr.write(`${why}: running npm install (it updates package-lock.json)\n`)
    const status = npm(['install', '--no-audit', '--no-fund'])
    if (status !== 0) return status
  } else {
    const reason = staleReason(ROOT, lock)
    if (reason) {
      process.stderr.write(`${reason}: running npm ci (a clean install of package-lock.json, then the build)\n`)
      const status = npm(['ci', '--no-audit', '--no-fund'])
      if (status !== 0) return status
    }
  }
  if (args.includes('--chromium')) {
    const chromium = require('./chromium.cjs')
    try {
      chromium.ensureChromium()
    } catch (error) {
      // The suite still runs; its browser tests fail with the same message.
      process.stderr.write(`${error.message}\n`)
    }
  }
  if (args.includes('--aws-cli')) ensureAwsCli()
  return 0
}

/** The AWS CLI on PATH, or Debian's awscli installed (root with apt-get), or a note saying what to run. */
function ensureAwsCli() {
  const { aptGetInstall, canUseApt, onPath } = require('./chromium.cjs')
  if (onPath('aws')) return
  let failed = 'apt-get is not usable here (it needs root on Debian or Ubuntu)'
  if (canUseApt()) {
    process.stderr.write(
      "The AWS CLI is needed by test/awsCli.test.ts; installing Debian's: apt-get install -y awscli\n"
    )
    failed = aptGetInstall('awscli') || (onPath('aws') ? undefined : 'awscli was installed but `aws` is not on PATH')
    if (!failed) return
  }
  process.stderr.write(
    `The AWS CLI (\`aws\`) is not installed and could not be installed: ${failed}. Run \`sudo apt-get install -y awscli\` ` +
      '(or `pip install awscli`); until then test/awsCli.test.ts fails.\n'
  )
}

module.exports = { lockMatchesManifest, staleReason, checkNode }

if (require.main === module) process.exitCode = main(process.argv.slice(2))
