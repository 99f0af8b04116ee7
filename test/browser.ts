// Debian's chromium, driven by playwright-core: the browser comes from the system's packages, as a test tool's own
// browser download cannot work here (only the npm registry and Debian's packages are reachable). scripts/chromium.cjs
// finds it, or installs it with apt-get where it can (root, with apt: CI, a fresh container); `npm test` does that
// before the suite, and a browser test run on its own does it here. Where it cannot, the browser tests fail with the
// command to run: a skipped or passing browser test would hide that the explorer and the mappings view went untested.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser } from 'playwright-core'
import { canInstall, findChromium, neededMessage } from '../scripts/chromium.cjs'

class BrowserTestError extends Error {
  override name = 'BrowserTestError'
}

/** How long a browser test's beforeAll may take: an install (apt-get update and install) takes minutes. */
export const LAUNCH_TIMEOUT_MS = findChromium() || !canInstall() ? 60_000 : 15 * 60_000

const run = promisify(execFile)

/** The Chromium to launch, installed first when it is missing and can be (in a child: apt-get takes minutes). */
async function chromiumPath(): Promise<string> {
  const found = findChromium()
  if (found) return found
  if (!canInstall()) throw new BrowserTestError(neededMessage())
  try {
    await run(process.execPath, [path.join(__dirname, '..', 'scripts', 'chromium.cjs')], {
      maxBuffer: 16 * 1024 * 1024
    })
  } catch (error) {
    const said = (error as { stderr?: string }).stderr?.trim()
    throw new BrowserTestError(said || neededMessage())
  }
  const installed = findChromium()
  if (!installed) throw new BrowserTestError(neededMessage())
  return installed
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']
  })
}
