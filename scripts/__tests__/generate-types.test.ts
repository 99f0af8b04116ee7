// Runs the generator as `npm run types -- --check` does, in its own process: json-schema-to-typescript formats with
// prettier 3, which loads itself through dynamic import(), which jest's module sandbox does not allow.
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const SCRIPT = path.join(__dirname, '..', 'generate-types.ts')
const check = () => run(process.execPath, ['--import', 'tsx', SCRIPT, '--check'], { timeout: 60_000 })

test('the committed generated-types.ts files match the definition (run `npm run types` after changing fields)', async () => {
  const { stdout } = await check()
  expect(stdout).toContain('Generated types are up to date.')
})

test('a stale generated file fails the check and is named', async () => {
  const file = path.join(__dirname, '..', '..', 'destination', 'trackEvent', 'generated-types.ts')
  const original = readFileSync(file, 'utf8')
  writeFileSync(file, original.replace('sessionId: string', 'sessionId?: string'))
  try {
    await expect(check()).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Stale generated types: destination/trackEvent/generated-types.ts')
    })
  } finally {
    writeFileSync(file, original)
  }
})
