// segment-personalize lambda, as a user runs it: build, deploy --dry-run from a provision --json file, and the bad
// input that stops it before any AWS call.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import AdmZip from 'adm-zip'

const CLI = path.join(__dirname, '..', '..', 'main.ts')
const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-cli-'))
// No AWS credentials anywhere: none of these runs may reach AWS.
const env = { PATH: process.env.PATH ?? '', HOME: dir }
const cli = (args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, 'lambda', ...args], { timeout: 60_000, env })

test('build writes a zip with index.js exporting handler', async () => {
  const out = path.join(dir, 'fn.zip')
  const { stdout } = await cli(['build', '--out', out])
  expect(stdout).toMatch(/^built .*fn\.zip: [\d.]+ KB, handler index\.handler\n$/)
  const entries = new AdmZip(readFileSync(out)).getEntries().map((entry) => entry.entryName)
  expect(entries).toEqual(['index.js'])
})

test('deploy --dry-run prints the plan from the settings file, the flags over it, and calls nothing', async () => {
  const file = path.join(dir, 'destination.json')
  writeFileSync(
    file,
    JSON.stringify({
      region: 'eu-west-1',
      trackingId: 'from-file',
      campaignArn: 'arn:aws:personalize:eu-west-1:123456789012:campaign/shop',
      accessKeyId: 'AKIDLOCAL',
      personalizeEventsEndpoint: 'http://127.0.0.1:4566'
    })
  )
  const { stdout } = await cli([
    'deploy',
    '--dry-run',
    '--destination',
    file,
    '--tracking-id',
    'from-flag',
    '--external-id',
    'src-1'
  ])
  expect(stdout).toContain('Region eu-west-1')
  expect(stdout).toContain('PERSONALIZE_TRACKING_ID=from-flag')
  expect(stdout).toContain('"sts:ExternalId": "src-1"')
  // What only the local stack needs never reaches the function.
  expect(stdout).not.toContain('AKIDLOCAL')
  expect(stdout).not.toContain('127.0.0.1:4566')
})

test.each([
  [['deploy', '--tracking-id', 't'], /Give --external-id/],
  [['deploy', '--external-id', 'x'], /Give the Tracking ID/],
  [
    ['deploy', '--external-id', 'x', '--destination', '/no/such/file.json'],
    /Cannot read --destination \/no\/such\/file\.json/
  ],
  [['publish'], /Say what to do: build, deploy or teardown/]
])('%j: exit 2 and what to fix', async (args, message) => {
  await expect(cli(args)).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(message) })
})
