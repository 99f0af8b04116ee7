import { execFile } from 'node:child_process'
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
