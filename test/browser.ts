// Debian's chromium, driven by playwright-core: the browser comes from the system's packages (.ci/run installs it),
// as a test tool's own browser download cannot work offline.
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

class BrowserTestError extends Error {
  override name = 'BrowserTestError'
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new BrowserTestError(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`)
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']
  })
}
