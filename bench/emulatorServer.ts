// The local Personalize in its own process for `npm run bench -- emulator`, reporting its peak memory on request.
import { createPersonalizeEmulator } from '../emulators/personalize/server'

let peak = 0
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss))
setInterval(sample, 50).unref()

const emulator = createPersonalizeEmulator({ delayMs: 0, s3Root: process.argv[2] })
void emulator.listen().then((url) => process.send?.({ url }))

process.on('message', (message: string) => {
  if (message === 'peak') {
    sample()
    process.send?.({ peak })
    peak = process.memoryUsage().rss
  } else if (message === 'stop') void emulator.close().then(() => process.exit(0))
})
