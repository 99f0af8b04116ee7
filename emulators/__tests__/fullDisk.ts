// A disk that fills up, for the files the local stack appends to (../groupCommit.ts fileIo): a write stops short at
// the space left, as write(2) does on a full disk, and the next one throws ENOSPC; a cut gives the space back. Also a
// disk whose fsync fails (EIO), and a small real file system (tmpfs) where the kernel says ENOSPC itself.
import { spawnSync } from 'node:child_process'
import { fstatSync, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileIo } from '../groupCommit'

const errno = (code: string, syscall: string) =>
  Object.assign(new Error(`${code}: simulated, ${syscall}`), { code, syscall })

export interface FullDisk {
  /** Bytes left; Infinity once space returns. */
  free: number
  /** Makes the next `n` fsyncs fail with EIO. */
  failFsyncs(n: number): void
  restore(): void
}

export function fullDisk(free: number): FullDisk {
  const disk = { free, fsyncFailures: 0 }
  const real = { ...fileIo }
  fileIo.write = (fd, bytes, offset, length, position) => {
    if (disk.free <= 0) throw errno('ENOSPC', 'write')
    const n = Math.min(length, disk.free)
    disk.free -= n
    return writeSync(fd, bytes, offset, n, position)
  }
  fileIo.truncate = (fd, length) => {
    const size = fstatSync(fd).size
    real.truncate(fd, length)
    disk.free += Math.max(0, size - length)
  }
  fileIo.fsync = (fd, done) => {
    if (disk.fsyncFailures > 0) {
      disk.fsyncFailures--
      return setImmediate(() => done(errno('EIO', 'fsync')))
    }
    real.fsync(fd, done)
  }
  return {
    get free() {
      return disk.free
    },
    set free(bytes: number) {
      disk.free = bytes
    },
    failFsyncs: (n) => void (disk.fsyncFailures = n),
    restore: () => void Object.assign(fileIo, real)
  }
}

function mount(bytes: number): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tiny-fs-'))
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]).status === 0) return dir
  rmSync(dir, { recursive: true })
  return undefined
}

function unmount(dir: string): void {
  // Lazy: detached at once even while a file on it is still open (a failed test's), freed once it is closed.
  spawnSync('umount', ['-l', dir])
  rmSync(dir, { recursive: true, force: true })
}

/** Whether this machine lets a test mount a tmpfs (root, with the capability, as CI runs): tried once, undone. */
export const canMountTmpfs = (() => {
  const dir = mount(4096)
  if (dir) unmount(dir)
  return dir !== undefined
})()

/** Runs `test` on a tmpfs of `bytes` mounted on a new folder, for the kernel's own ENOSPC; unmounted after. */
export async function onTinyFileSystem<T>(bytes: number, test: (dir: string) => Promise<T>): Promise<T> {
  const dir = mount(bytes)
  if (!dir) throw new TypeError('cannot mount a tmpfs here')
  try {
    return await test(dir)
  } finally {
    unmount(dir)
  }
}

/** Fills a file system but for about `left` bytes with a ballast file, and returns how to give the space back. */
export function fillBut(dir: string, left: number): () => void {
  const ballast = path.join(dir, 'ballast')
  mkdirSync(dir, { recursive: true })
  const { bavail, bsize } = statfsSync(dir)
  writeFileSync(ballast, Buffer.alloc(Math.max(0, bavail * bsize - left)))
  return () => rmSync(ballast)
}
