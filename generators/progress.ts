// Progress of a long run: a bar redrawn in place on a terminal, nothing until the summary line otherwise (logs and
// CI output stay one line per run).
import type { Progress } from './replay'

const WIDTH = 30

export function describeProgress(progress: Progress, now = performance.now()): string {
  const seconds = Math.max((now - progress.startedAt) / 1000, 0.001)
  const filled = Math.round((progress.daysDone / progress.days) * WIDTH)
  const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`
  const rate = Math.round(progress.events / seconds)
  return `${bar} ${progress.daysDone}/${progress.days} days · ${progress.events.toLocaleString('en-US')} events · ${rate.toLocaleString('en-US')} events/s`
}

export function progressBar(stream: NodeJS.WriteStream): { update(progress: Progress): void; clear(): void } {
  let drawnAt = 0
  return {
    update(progress) {
      const now = performance.now()
      if (!stream.isTTY || (now - drawnAt < 100 && progress.daysDone < progress.days)) return
      drawnAt = now
      stream.write(`\r\x1b[2K${describeProgress(progress, now)}`)
    },
    clear() {
      if (stream.isTTY && drawnAt > 0) stream.write('\r\x1b[2K')
    }
  }
}
