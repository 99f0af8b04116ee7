#!/usr/bin/env node
// The installed command runs the compiled CLI (`npm run build`, run by `prepare` on install from a clone).
const { main } = require('../dist/cli/main.js')

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  }
)
