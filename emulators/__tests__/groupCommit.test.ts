// AppendLog: a record is written whole or not at all, on a disk that fills up (simulated, and a real tmpfs) or whose
// fsync fails.
import { mkdtempSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AppendLog, fileIo } from '../groupCommit'
import { canMountTmpfs, fillBut, fullDisk, onTinyFileSystem, type FullDisk } from './fullDisk'

const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'group-commit-')), 'log')

describe('AppendLog: whole records or none', () => {
  let disk: FullDisk | undefined
  afterEach(() => disk?.restore())

  test('a write that stops short is continued until every byte is written', () => {
    const name = file()
    const log = new AppendLog(name)
    let calls = 0
    const spy = jest.spyOn(fileIo, 'write').mockImplementation((fd, bytes, offset, length, position) => {
      calls++
      return writeSync(fd, bytes, offset, Math.min(length, 3), position)
    })
    try {
      log.write(Buffer.from('a record of some length\n'))
      log.write(Buffer.from('another\n'))
    } finally {
      spy.mockRestore()
    }
    expect(readFileSync(name, 'utf8')).toBe('a record of some length\nanother\n')
    expect(calls).toBe(8 + 3)
  })

  test('a full disk: the torn record is cut, the append fails, and once space returns the log goes on', async () => {
    const name = file()
    const log = new AppendLog(name)
    log.write(Buffer.from('one\n'))
    disk = fullDisk(5)
    expect(() => log.write(Buffer.from('two, which does not fit\n'))).toThrow(/ENOSPC/)
    expect(readFileSync(name, 'utf8')).toBe('one\n')
    expect(log.stats).toEqual({ failedAppends: 1, cutBytes: 5 })
    disk.free = Infinity
    log.write(Buffer.from('three\n'))
    await log.sync()
    expect(readFileSync(name, 'utf8')).toBe('one\nthree\n')
    await log.close()
  })

  test('opening cuts what follows the last whole record', async () => {
    const name = file()
    writeFileSync(name, 'one\ntw')
    const log = new AppendLog(name, 4)
    expect(log.stats.cutBytes).toBe(2)
    log.write(Buffer.from('three\n'))
    await log.close()
    expect(readFileSync(name, 'utf8')).toBe('one\nthree\n')
  })

  test('a failed fsync: every record since the last good one is cut, and reported lost newest first', async () => {
    const name = file()
    const log = new AppendLog(name)
    log.write(Buffer.from('kept\n'))
    await log.sync()
    disk = fullDisk(Infinity)
    disk.failFsyncs(1)
    const lost: string[] = []
    log.write(Buffer.from('a\n'))
    const a = log.sync(() => lost.push('a'))
    // Written while the failing fsync runs: it cannot be kept either, since the file is cut back.
    log.write(Buffer.from('b\n'))
    const b = log.sync(() => lost.push('b'))
    await expect(a).rejects.toMatchObject({ code: 'EIO' })
    await expect(b).rejects.toMatchObject({ code: 'EIO' })
    expect(lost).toEqual(['b', 'a'])
    expect(readFileSync(name, 'utf8')).toBe('kept\n')
    log.write(Buffer.from('c\n'))
    await log.sync()
    expect(readFileSync(name, 'utf8')).toBe('kept\nc\n')
    await log.close()
  })

  // The kernel's own ENOSPC, on a 64 KB tmpfs (needs root, as CI has; skipped where mounting is not allowed).
  ;(canMountTmpfs ? test : test.skip)('a real full disk (tmpfs): only whole records are kept', () =>
    onTinyFileSystem(64 * 1024, async (dir) => {
      const giveBack = fillBut(dir, 8192)
      const name = path.join(dir, 'log')
      const log = new AppendLog(name)
      const record = (n: number) => Buffer.from(`${String(n).padStart(6, '0')} ${'x'.repeat(1000)}\n`)
      let written = 0
      let failure: unknown
      for (let n = 0; n < 100 && failure === undefined; n++) {
        try {
          log.write(record(n))
          await log.sync()
          written++
        } catch (error) {
          failure = error
        }
      }
      expect(failure).toMatchObject({ code: 'ENOSPC' })
      expect(statSync(name).size).toBe(written * record(0).length)
      giveBack()
      log.write(record(written))
      await log.sync()
      await log.close()
      const lines = readFileSync(name, 'utf8').split('\n').filter(Boolean)
      expect(lines.map((line) => Number(line.slice(0, 6)))).toEqual(Array.from({ length: written + 1 }, (_, n) => n))
    })
  )
})
