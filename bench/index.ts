// npm run bench -- <name>: runs one benchmark (or all, without a name) and prints its table for docs/performance.md.
import os from 'node:os'
import { quietAwsSdkNodeNotice } from '../common/awsSdkNotice'
import { benchBackfill } from './backfill'
import { benchDestination } from './destination'
import { benchEmulator } from './emulator'
import { benchFunctions } from './functions'
import { benchGenerator } from './generator'
import { benchLambda } from './lambda'
import { benchLocal } from './local'
import { benchRoundTrip } from './roundtrip'

const BENCHMARKS: Record<string, () => Promise<void>> = {
  destination: benchDestination,
  roundtrip: benchRoundTrip,
  emulator: benchEmulator,
  generator: benchGenerator,
  functions: benchFunctions,
  backfill: benchBackfill,
  local: benchLocal,
  lambda: benchLambda
}

async function main(): Promise<void> {
  // As the command line does, on Node 20 only (common/awsSdkNotice.ts).
  quietAwsSdkNodeNotice()
  const names = process.argv.slice(2)
  const unknown = names.filter((name) => !(name in BENCHMARKS))
  if (unknown.length > 0) {
    console.error(`Unknown benchmark ${unknown.join(', ')}. Available: ${Object.keys(BENCHMARKS).join(', ')}`)
    process.exit(2)
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  console.log(
    `machine: ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`
  )
  for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) await BENCHMARKS[name]!()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
