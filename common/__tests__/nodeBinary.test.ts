// The Node binary cache (common/nodeBinary.ts): which cached release a version asks for, without the registry. The
// fetch itself is exercised by the Node 14 tests (functions/) and by .ci/run's run on the newest LTS.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { cachedBinary, folderName, parseVersion, platformKey } from '../nodeBinary'

let cache: string

beforeAll(() => {
  cache = mkdtempSync(path.join(os.tmpdir(), 'node-cache-'))
  for (const release of ['14.21.3', '22.9.0', '22.13.1', '24.2.0']) {
    const bin = path.join(cache, `node-v${release}-${platformKey()}`, 'bin')
    mkdirSync(bin, { recursive: true })
    writeFileSync(path.join(bin, 'node'), '')
    chmodSync(path.join(bin, 'node'), 0o755)
  }
  // A half-unpacked folder (no bin/node) and another platform's are never chosen.
  mkdirSync(path.join(cache, `node-v22.20.0-${platformKey()}`))
  mkdirSync(path.join(cache, 'node-v22.30.0-aix-ppc64', 'bin'), { recursive: true })
  writeFileSync(path.join(cache, 'node-v22.30.0-aix-ppc64', 'bin', 'node'), '')
})

afterAll(() => rmSync(cache, { recursive: true, force: true }))

const release = (binary: string | undefined) => binary && /node-v([\d.]+)-/.exec(binary)?.[1]

test('a major line is its newest cached release; an exact release is only itself', () => {
  expect(release(cachedBinary('22', cache))).toBe('22.13.1')
  expect(release(cachedBinary('v24', cache))).toBe('24.2.0')
  expect(release(cachedBinary('14.21.3', cache))).toBe('14.21.3')
  expect(release(cachedBinary('22.9.0', cache))).toBe('22.9.0')
  expect(cachedBinary('22.12.0', cache)).toBeUndefined()
  expect(cachedBinary('20', cache)).toBeUndefined()
})

test('versions: a major or a release, nothing else', () => {
  expect(parseVersion('24')).toEqual({ major: 24 })
  expect(parseVersion('v22.13.0')).toEqual({ major: 22, exact: '22.13.0' })
  expect(() => parseVersion('lts')).toThrow('"lts" is neither a Node major version (22) nor a release (22.12.0)')
  expect(() => parseVersion('22.1')).toThrow('neither')
})

test('npm names Windows "win", not "win32"', () => {
  expect(platformKey('win32', 'x64')).toBe('win-x64')
  expect(platformKey('linux', 'arm64')).toBe('linux-arm64')
})

test('a release is cached under one folder name, whether its package writes "v14.21.3" or "22.13.1"', () => {
  expect(folderName('v14.21.3', 'linux-x64')).toBe('node-v14.21.3-linux-x64')
  expect(folderName('22.13.1', 'linux-x64')).toBe('node-v22.13.1-linux-x64')
  // And cachedBinary finds what was cached under it.
  expect(release(cachedBinary('14', cache))).toBe('14.21.3')
})
