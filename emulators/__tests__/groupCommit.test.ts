// Group commit: callers that write at the same time share fsyncs, every one of them is answered, and a failed fsync
// reaches its callers (so that the local stack does not acknowledge what may not be on disk).
import { closeSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { GroupCommit } from '../groupCommit'

const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'group-commit-')), 'log')

test('writes made while an fsync runs are covered by the next one, and every caller is answered', async () => {
  const log = file()
  const fd = openSync(log, 'a')
  const commit = new GroupCommit(fd)
  const answered: number[] = []
  const syncs = Array.from({ length: 50 }, (_, n) => {
    writeSync(fd, `${n}\n`)
    return commit.sync().then(() => answered.push(n))
  })
  await Promise.all(syncs)
  // Callers are answered in the order they wrote, as the Segment emulator hands stored messages on in that order.
  expect(answered).toEqual(Array.from({ length: 50 }, (_, n) => n))
  expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toHaveLength(50)
  // Once idle, a new sync starts its own fsync.
  writeSync(fd, 'last\n')
  await expect(commit.sync()).resolves.toBeUndefined()
  closeSync(fd)
})

test('a failed fsync rejects its callers, and those waiting for the next one', async () => {
  const fd = openSync(file(), 'a')
  const commit = new GroupCommit(fd)
  closeSync(fd)
  const first = commit.sync()
  const waiting = commit.sync()
  await expect(first).rejects.toMatchObject({ code: 'EBADF' })
  await expect(waiting).rejects.toMatchObject({ code: 'EBADF' })
})
