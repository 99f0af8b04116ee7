// One config for every command: each setting, row by row, fills its flag from the environment, else the file; a flag
// on the command line wins; a bad file is a clear error. Then the CLI end to end: a config file points `provision`
// at nothing reachable and the error names that endpoint, not AWS.
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { ConfigError, describeConfig, readConfigFile, SETTINGS, withConfig } from '../config'

const sample = (key: string) => (key === 'writeKeys' ? { web: 'webKey123456' } : `value-of-${key}`)
const asFlag = (key: string) => (key === 'writeKeys' ? ['web=webKey123456'] : `value-of-${key}`)

describe.each(
  SETTINGS.flatMap((setting) => Object.entries(setting.flags).map(([command, flag]) => ({ setting, command, flag })))
)('$setting.key → $command --$flag', ({ setting, command, flag }) => {
  test('comes from the config file', () => {
    expect(withConfig(command, {}, { [setting.key]: sample(setting.key) }, {})[flag]).toEqual(asFlag(setting.key))
  })

  test('the environment wins over the file', () => {
    if (!setting.env) return
    const env = { [setting.env]: setting.key === 'writeKeys' ? 'web=fromEnv1234' : 'from-env' }
    expect(withConfig(command, {}, { [setting.key]: sample(setting.key) }, env)[flag]).toEqual(
      setting.key === 'writeKeys' ? ['web=fromEnv1234'] : 'from-env'
    )
  })

  test('the flag wins over both', () => {
    const env = setting.env ? { [setting.env]: 'from-env' } : {}
    expect(withConfig(command, { [flag]: 'from-flag' }, { [setting.key]: sample(setting.key) }, env)[flag]).toBe(
      'from-flag'
    )
  })
})

test('a setting does not apply when a flag excludes it: generate --out writes files, so no Segment host', () => {
  expect(withConfig('generate', { out: 'dir' }, { segmentHost: 'https://api.segment.io' }, {}).host).toBeUndefined()
})

test('settings of other commands are left alone', () => {
  expect(withConfig('backfill', {}, { personalizeEndpoint: 'http://x' }, {})).toEqual({})
})

describe('the config file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'config-'))
  const write = (name: string, text: string) => {
    const file = path.join(dir, name)
    writeFileSync(file, text)
    return file
  }

  test.each([
    ['not JSON', '{ dataDir: nope', /Cannot read the config file .*not-JSON: Expected property name/],
    ['not an object', '["a"]', /must hold a JSON object of settings/],
    ['unknown settings', '{"dataDirectory": "x"}', /unknown settings: dataDirectory \(known: dataDir, /]
  ])('%s is a clear error', (name, text, message) => {
    expect(() => readConfigFile(write(name.replace(/ /g, '-'), text), {})).toThrow(ConfigError)
    expect(() => readConfigFile(write(name.replace(/ /g, '-'), text), {})).toThrow(message)
  })

  test('$SEGMENT_PERSONALIZE_CONFIG names it; describeConfig says where each value comes from', () => {
    const file = write('env.json', '{"dataDir": "/srv/data", "region": "eu-west-1"}')
    const config = readConfigFile(undefined, { SEGMENT_PERSONALIZE_CONFIG: file })
    expect(config).toEqual({ dataDir: '/srv/data', region: 'eu-west-1' })
    const text = describeConfig(config, { AWS_REGION: 'us-east-1' })
    expect(text).toMatch(/dataDir +"\/srv\/data" +\(from the config file/)
    expect(text).toMatch(/region +us-east-1 +\(from AWS_REGION/)
    expect(text).toMatch(/bucket +- +\(not set/)
  })

  test('the CLI applies it: provision goes to the configured endpoint', async () => {
    const file = write('cli.json', '{"personalizeEndpoint": "http://127.0.0.1:9"}')
    const cli = path.join(__dirname, '..', '..', 'cli', 'main.ts')
    const run = promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      cli,
      'provision',
      '--config',
      file,
      '--name',
      'x',
      '--interactions',
      '/nonexistent.csv'
    ])
    // Against AWS, --bucket and --role-arn would be demanded; against an endpoint, it tries to connect.
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/ECONNREFUSED|connect/) })
  })
})
