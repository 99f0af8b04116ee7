// The local Personalize in its own process for `npm run bench -- emulator`, reporting its peak memory on request.
// Arguments: the S3 folder, and a data dir for a durable run (every state change journaled and fsynced before it is
// answered, as `segment-personalize local --data-dir` runs).
import { createPersonalizeEmulator } from '../emulators/personalize/server'

let peak = 0
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss))
setInterval(sample, 50).unref()

const started = process.hrtime.bigint()
const emulator = createPersonalizeEmulator({ delayMs: 0, s3Root: process.argv[2], dataDir: process.argv[3] })
// How long opening took: with a data dir, reading and replaying the journal.
const openSeconds = Number(process.hrtime.bigint() - started) / 1e9
void emulator.listen().then((url) => process.send?.({ url, openSeconds }))

process.on('message', (message: string) => {
  if (message === 'peak') {
    sample()
    process.send?.({ peak })
    peak = process.memoryUsage().rss
  } else if (message === 'stop') void emulator.close().then(() => process.exit(0))
})
