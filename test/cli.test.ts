import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { execFile, spawn } from 'node:child_process'
import { CreateDatasetGroupCommand, PersonalizeClient } from '@aws-sdk/client-personalize'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const CLI = path.join(__dirname, '..', 'cli', 'main.ts')
const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', CLI, ...args], { timeout: 60_000 })

test('--help lists the commands', async () => {
  const { stdout } = await cli('--help')
  expect(stdout).toContain('Usage: segment-personalize <command>')
  expect(stdout).toMatch(/^\s+example\s+Send sample Segment events/m)
})

test('a command answers --help', async () => {
  const { stdout } = await cli('example', '--help')
  expect(stdout).toContain('--endpoint <url>')
})

test('an unknown command exits 2 with the usage', async () => {
  await expect(cli('nonsense')).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining("Unknown command 'nonsense'")
  })
})

test('an unknown option exits 2 and says which', async () => {
  await expect(cli('example', '--bogus')).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining("Unknown option '--bogus'")
  })
})

test('example sends the sample events through the destination and prints what Personalize received', async () => {
  const { stdout } = await cli('example')
  expect(stdout).toMatch(/PutEvents requests received by the local endpoint \(\d+\)/)
  expect(stdout).toContain('"itemId": "prod-81"')
  expect(stdout).toContain('"eventId": "msg-3-1"')
  expect(stdout).toContain('"itemId": "SKU-33"')
  expect(stdout).toContain('Order Completed (msg-3): Order Completed → 200 sent')
  expect(stdout).toContain('Order Completed (msg-4): Order Completed (workshop shape, sku only) → 200 sent')
  expect(stdout).toContain(
    'Product Viewed (msg-5): Product Viewed → 400 itemId is missing: the event has no product_id or sku.'
  )
})

describe('example against a real event tracker endpoint', () => {
  let server: http.Server
  let url: string
  const received: Array<{ authorization: string; body: { trackingId: string } }> = []
  let status = 200

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => {
        received.push({
          authorization: String(req.headers.authorization),
          body: JSON.parse(body) as { trackingId: string }
        })
        res.writeHead(status, {
          'x-amzn-errortype': status === 200 ? '' : 'ThrottlingException',
          'content-type': 'application/json'
        })
        res.end(status === 200 ? '' : '{"message":"Rate exceeded"}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => server.close())
  beforeEach(() => {
    received.length = 0
    status = 200
  })

  const withKeys = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', CLI, ...args], {
      timeout: 60_000,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDFROMENV', AWS_SECRET_ACCESS_KEY: 'secret-from-env' }
    })

  test('--tracking-id signs with the environment’s access keys and exits 0', async () => {
    const { stdout } = await withKeys(
      'example',
      '--tracking-id',
      'tracker-live',
      '--region',
      'eu-west-1',
      '--endpoint',
      url
    )
    expect(received.length).toBeGreaterThan(0)
    expect(received.every((r) => r.body.trackingId === 'tracker-live')).toBe(true)
    expect(received[0]!.authorization).toMatch(/Credential=AKIDFROMENV\/\d{8}\/eu-west-1\/personalize\/aws4_request/)
    expect(stdout).toContain(`Sent to ${url}.`)
  })

  test('a failure other than the deliberately bad event exits 1 and says why', async () => {
    status = 400
    await expect(withKeys('example', '--tracking-id', 'tracker-live', '--endpoint', url)).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringContaining('429 PutEvents failed: ThrottlingException: Rate exceeded')
    })
  })
})

test('the installed command (bin/segment-personalize.js, the compiled CLI) answers --help', async () => {
  const { stdout } = await run(process.execPath, [
    path.join(__dirname, '..', 'bin', 'segment-personalize.js'),
    '--help'
  ])
  expect(stdout).toContain('Usage: segment-personalize <command>')
})

test('the package exports the destination definition by name, as built', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const built = require(path.join(__dirname, '..', 'dist', 'index.js')) as {
    destination: { name: string; actions: object }
  }
  expect(built.destination.name).toBe('Amazon Personalize (Actions)')
  expect(Object.keys(built.destination.actions)).toEqual([
    'trackEvent',
    'syncRecommendations',
    'identifyUser',
    'syncItems'
  ])
})

describe('local', () => {
  test('prints ready with its URL, serves the real SDK, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'local', '--port', '0', '--delay-ms', '0'])
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const match = /ready at (http:\/\/\S+)/.exec(chunk.toString())
        if (match) resolve(match[1]!)
      })
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)))
    })
    const client = new PersonalizeClient({
      region: 'us-west-2',
      endpoint: url,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
    })
    const { datasetGroupArn } = await client.send(new CreateDatasetGroupCommand({ name: 'from-cli' }))
    expect(datasetGroupArn).toMatch(/dataset-group\/from-cli$/)
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })

  test('a port in use is a clear error, not a stack trace', async () => {
    const server = http.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await expect(cli('local', '--port', String(port))).rejects.toMatchObject({
      code: 1,
      stderr: `Port ${port} is in use: choose another with --port (or stop what is using it).\n`
    })
    server.close()
  })

  test('a data dir that cannot be used is a clear error', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cli-local-')), 'a-file')
    writeFileSync(file, '')
    await expect(cli('local', '--port', '0', '--data-dir', path.join(file, 'data'))).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^Cannot use the data dir .*a-file\/data: ENOTDIR/)
    })
  })

  test('a bad --port is refused', async () => {
    await expect(cli('local', '--port', 'eighty')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--port must be a whole number')
    })
  })
})
