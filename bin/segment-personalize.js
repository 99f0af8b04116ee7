#!/usr/bin/env -S node --max-semi-space-size=32
// A 32 MB young generation: the local stack allocates fast and short-lived (HTTP, JSON), and with Node's default it
// spends 15-20% more CPU per message collecting garbage (docs/performance.md, local). The flag only works at start.
// The installed command runs the compiled CLI (`npm run build`, run by `prepare` on install from a clone).
const { main } = require('../dist/cli/main.js')

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  }
)
