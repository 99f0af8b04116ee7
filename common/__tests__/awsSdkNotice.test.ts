// The AWS SDK's Node-version notice: silenced by the command line on Node 20 only (common/awsSdkNotice.ts), for every
// command; on Node 22 and later the SDK prints none. Each case runs a real command (or a bare SDK client) in a child
// against a closed port, with the variable unset, and reads its stderr.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { AWS_SDK_NOTICE_VARIABLE, quietAwsSdkNodeNotice } from '../awsSdkNotice'

const ROOT = path.join(__dirname, '..', '..')
const NODE20 = Number(process.versions.node.split('.')[0]) < 22

test('set on Node 20 (unless already set), never on Node 22 or 24', () => {
  const on = (version: string, env: NodeJS.ProcessEnv = {}) => {
    quietAwsSdkNodeNotice(env, version)
    return env[AWS_SDK_NOTICE_VARIABLE]
  }
  expect(on('20.19.0')).toBe('true')
  expect(on('20.20.2', { [AWS_SDK_NOTICE_VARIABLE]: 'false' })).toBe('false')
  expect(on('22.13.0')).toBeUndefined()
  expect(on('24.11.1')).toBeUndefined()
})

function stderrOf(args: string[]): string {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'example',
    AWS_REGION: 'us-east-1'
  }
  delete env[AWS_SDK_NOTICE_VARIABLE]
  const result = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 })
  return result.stderr
}

const client = `const { PersonalizeClient, ListDatasetGroupsCommand } = require('@aws-sdk/client-personalize')
new PersonalizeClient({ endpoint: 'http://127.0.0.1:1', maxAttempts: 1 }).send(new ListDatasetGroupsCommand({})).catch((e) => console.error(e.message))`

test(`a bare SDK client ${NODE20 ? 'prints' : 'does not print'} the notice on Node ${process.versions.node}`, () => {
  const stderr = stderrOf(['-e', client])
  expect(stderr).toContain('ECONNREFUSED')
  if (NODE20) expect(stderr).toContain('NodeVersionSupportWarning')
  else expect(stderr).not.toContain('NodeVersionSupportWarning')
}, 60_000)

test('a command that is not `start` (teardown) does not print it', () => {
  const stderr = stderrOf([
    '--import',
    'tsx',
    'cli/main.ts',
    'teardown',
    '--name',
    'x',
    '--endpoint',
    'http://127.0.0.1:1'
  ])
  expect(stderr).toContain('ECONNREFUSED 127.0.0.1:1')
  expect(stderr).not.toContain('NodeVersionSupportWarning')
}, 60_000)
