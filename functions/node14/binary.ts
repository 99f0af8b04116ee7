// A real Node 14 binary for the tests: Segment's docs say Functions run on Node.js 14
// (https://segment.com/docs/connections/functions/#runtime). The npm package node-<platform>-<arch>@14.21.3 ships
// one as bin/node. It is fetched on first use with `npm pack` (the registry npm already uses) into
// node_modules/.cache/segment-personalize/ and reused; it is not a devDependency on purpose, because the package
// declares `bin: {node}` and npm would then put Node 14 first on the PATH of every npm script.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'

export const NODE14_VERSION = '14.21.3'

const run = promisify(execFile)

/** The cache folder: node_modules/.cache/segment-personalize (or $SEGMENT_PERSONALIZE_CACHE). */
export function cacheDir(): string {
  return (
    process.env.SEGMENT_PERSONALIZE_CACHE ??
    path.join(__dirname, '..', '..', 'node_modules', '.cache', 'segment-personalize')
  )
}

/** The npm package with this machine's Node 14 binary (nodejs.org built Node 14 for these). */
function packageName(): string {
  const platform = process.platform
  const arch = process.arch
  const supported = ['linux-x64', 'linux-arm64', 'darwin-x64', 'win-x64']
  const key = `${platform === 'win32' ? 'win' : platform}-${arch}`
  if (!supported.includes(key))
    throw new TypeError(
      `No Node ${NODE14_VERSION} binary is published for ${key}; Node 14 tests need one of ${supported.join(', ')}.`
    )
  return `node-${key}@${NODE14_VERSION}`
}

let pending: Promise<string> | undefined

/**
 * The path of a Node 14 binary, downloading it once. Safe when several jest workers ask at once: each unpacks into a
 * folder of its own and renames it into place; the first rename wins and the others use its result.
 */
export function node14Binary(): Promise<string> {
  return (pending ??= fetchBinary())
}

async function fetchBinary(): Promise<string> {
  const dir = path.join(cacheDir(), `node-v${NODE14_VERSION}-${process.platform}-${process.arch}`)
  const binary = path.join(dir, 'bin', process.platform === 'win32' ? 'node.exe' : 'node')
  if (existsSync(binary)) return binary
  await mkdir(cacheDir(), { recursive: true })
  const work = await mkdtemp(path.join(cacheDir(), '.download-'))
  try {
    await run('npm', ['pack', packageName(), '--pack-destination', work, '--silent'], { cwd: work })
    const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'))
    if (!tarball) throw new TypeError(`npm pack ${packageName()} produced no tarball in ${work}`)
    await run('tar', ['xzf', tarball], { cwd: work })
    try {
      await rename(path.join(work, 'package'), dir)
    } catch (error) {
      // Another worker put it in place first.
      if (!existsSync(binary)) throw error
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  if (!existsSync(binary)) throw new TypeError(`The Node ${NODE14_VERSION} package has no ${binary}`)
  return binary
}
