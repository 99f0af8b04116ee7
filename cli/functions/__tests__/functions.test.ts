import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const CLI = path.join(__dirname, '..', '..', 'main.ts')
const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, 'functions', ...args], { timeout: 60_000, env })

test('build writes the script where asked and reports its size', async () => {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'functions-cli-')), 'fn.js')
  const { stdout } = await cli(['build', '--out', out])
  const bytes = readFileSync(out).length
  expect(stdout).toBe(`built ${out}: ${(bytes / 1024).toFixed(1)} KB, handlers onTrack, onIdentify, onBatch\n`)
  expect(bytes).toBeLessThan(100 * 1024)
})

test('deploy without a token: exit 2 and what to set', async () => {
  const env = { ...process.env, SEGMENT_PUBLIC_API_TOKEN: '' }
  await expect(cli(['deploy'], env)).rejects.toMatchObject({
    code: 2,
    stderr: 'Set SEGMENT_PUBLIC_API_TOKEN to a Segment Public API token (Workspace Owner or Functions Admin).\n'
  })
})

test('no sub-command: exit 2 with the usage', async () => {
  await expect(cli([])).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining('Say what to do: build or deploy.')
  })
})
