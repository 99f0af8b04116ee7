// scripts/ensure.cjs, run as `npm test` and `npm start` run it, in a copy inside a tiny package of its own: its one
// dependency is a local tarball, so npm installs it without the network (npm_config_offline proves that), and its
// `prepare` needs that dependency, as this package's build needs TypeScript.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { node14Binary } from '../../functions/node14/binary'

const ENSURE = path.join(__dirname, '..', 'ensure.cjs')

let work: string
let app: string

/** The environment of a developer's shell: none of this run's npm_* variables, no network for npm. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)))
  return { ...env, npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_loglevel: 'warn' }
}

function npm(args: string[], cwd = app) {
  const result = spawnSync('npm', args, { cwd, env: cleanEnv(), encoding: 'utf8' })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

function tinyTarball(version: string): string {
  const dir = path.join(work, `tiny-${version}`)
  mkdirSync(dir)
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'tiny', version, main: 'index.js' }))
  writeFileSync(path.join(dir, 'index.js'), `module.exports = 'tiny ${version}'\n`)
  const packed = npm(['pack', '--silent', '--pack-destination', work], dir)
  expect(packed.status).toBe(0)
  return `file:../tiny-${version}.tgz`
}

function writeManifest(tiny: string): void {
  const manifest = {
    name: 'app',
    version: '1.0.0',
    private: true,
    engines: { node: '^20.19.0 || ^22.13.0 || ^24.0.0 || ^26.0.0' },
    dependencies: { tiny },
    scripts: {
      // What this package's `prepare` (the build) is to it: a step that needs the dependencies installed first.
      prepare: `node -e "require('fs').writeFileSync('prepared.txt', require('tiny'))"`,
      test: `node scripts/ensure.cjs && node -p "'ran with ' + require('tiny')"`
    }
  }
  writeFileSync(path.join(app, 'package.json'), JSON.stringify(manifest, null, 2))
}

const prepared = () => readFileSync(path.join(app, 'prepared.txt'), 'utf8')

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'ensure-'))
  app = path.join(work, 'app')
  mkdirSync(path.join(app, 'scripts'), { recursive: true })
  copyFileSync(ENSURE, path.join(app, 'scripts', 'ensure.cjs'))
})

afterAll(() => rmSync(work, { recursive: true, force: true }))

test('a fresh clone: no node_modules, no lockfile, then each way node_modules goes stale', () => {
  const v1 = tinyTarball('1.0.0')
  const v2 = tinyTarball('1.0.1')
  writeManifest(v1)

  // No lockfile: npm install makes one; the command after ensure finds the dependency.
  let run = npm(['test'])
  expect(run.stderr).toContain('there is no package-lock.json: running npm install')
  expect(run.stdout).toContain('ran with tiny 1.0.0')
  expect(run.status).toBe(0)
  expect(existsSync(path.join(app, 'package-lock.json'))).toBe(true)
  expect(prepared()).toBe('tiny 1.0.0')

  // Up to date: nothing is installed.
  run = npm(['test'])
  expect(run.stderr).not.toContain('running npm')
  expect(run.stdout).toContain('ran with tiny 1.0.0')

  // node_modules deleted (a fresh clone with a lockfile): npm ci, whose `prepare` runs once the dependency is in.
  rmSync(path.join(app, 'node_modules'), { recursive: true })
  rmSync(path.join(app, 'prepared.txt'))
  run = npm(['test'])
  expect(run.stderr).toContain('node_modules is missing: running npm ci')
  expect(run.stdout).toContain('ran with tiny 1.0.0')
  expect(prepared()).toBe('tiny 1.0.0')

  // The lockfile moved on (a pull that bumped a dependency) while node_modules did not: npm ci.
  writeManifest(v2)
  expect(npm(['install', '--package-lock-only']).status).toBe(0)
  run = npm(['test'])
  expect(run.stderr).toContain('node_modules/tiny is 1.0.0, package-lock.json wants 1.0.1: running npm ci')
  expect(run.stdout).toContain('ran with tiny 1.0.1')

  // A dependency edited in package.json by hand: the lockfile no longer matches, so npm install (npm ci would refuse).
  writeManifest(v1)
  run = npm(['test'])
  expect(run.stderr).toContain('package-lock.json does not match package.json: running npm install')
  expect(run.stdout).toContain('ran with tiny 1.0.0')
  expect(run.status).toBe(0)

  // A package folder removed by hand.
  rmSync(path.join(app, 'node_modules', 'tiny'), { recursive: true })
  run = npm(['test'])
  expect(run.stderr).toContain('node_modules/tiny was removed: running npm ci')
  expect(run.stdout).toContain('ran with tiny 1.0.0')
}, 180_000)

test('a Node older than engines is refused with what is needed, before anything is installed', async () => {
  const node14 = await node14Binary()
  rmSync(path.join(app, 'node_modules'), { recursive: true, force: true })
  const run = spawnSync(node14, [path.join(app, 'scripts', 'ensure.cjs')], {
    cwd: app,
    env: cleanEnv(),
    encoding: 'utf8'
  })
  expect(run.stderr).toBe(
    'segment-personalize needs Node ^20.19.0 || ^22.13.0 || ^24.0.0 || ^26.0.0 (package.json engines); this is v14.21.3.\n'
  )
  expect(run.status).toBe(1)
  expect(existsSync(path.join(app, 'node_modules'))).toBe(false)
}, 120_000)

test('this package’s own lockfile matches its package.json, and its engines name the lines CI runs', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ensure = require(ENSURE) as { lockMatchesManifest: (manifest: unknown, lock: unknown) => boolean }
  const root = path.join(__dirname, '..', '..')
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } }
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { engines?: { node: string } }>
  }
  expect(ensure.lockMatchesManifest(manifest, lock)).toBe(true)
  expect(lock.packages['']?.engines).toEqual(manifest.engines)
  expect(manifest.engines.node).toBe('^20.19.0 || ^22.13.0 || ^24.0.0 || ^26.0.0')
})

test('--aws-cli where there is no `aws` and apt-get cannot run: says what to run, and the suite goes on', () => {
  // A PATH with only this Node: no aws, no apt-get.
  const bin = mkdtempSync(path.join(os.tmpdir(), 'only-node-'))
  copyFileSync(process.execPath, path.join(bin, 'node'))
  const run = spawnSync(path.join(bin, 'node'), [ENSURE, '--aws-cli'], {
    cwd: path.join(__dirname, '..', '..'),
    env: { ...cleanEnv(), PATH: bin },
    encoding: 'utf8'
  })
  rmSync(bin, { recursive: true, force: true })
  expect(run.stderr).toContain('The AWS CLI (`aws`) is not installed and could not be installed: apt-get is not usable')
  expect(run.stderr).toContain('Run `sudo apt-get install -y awscli`')
  expect(run.status).toBe(0)
})
