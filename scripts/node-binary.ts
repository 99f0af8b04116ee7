// npx tsx scripts/node-binary.ts <version>: fetches (once) a Node binary of a major line ("24") or a release
// ("22.12.0") from npm and prints the folder to put first on PATH, e.g. for the suite on another Node:
//   PATH="$(npx tsx scripts/node-binary.ts 24):$PATH" npx jest
// .ci/run uses it for the second run on the newest LTS (docs/node.md).
import path from 'node:path'
import { NodeBinaryError, nodeBinary } from '../common/nodeBinary'

async function main(args: string[]): Promise<number> {
  const [version] = args
  if (args.length !== 1 || !version) {
    console.error('usage: tsx scripts/node-binary.ts <major or release>, e.g. 24 or 22.12.0')
    return 2
  }
  try {
    console.log(path.dirname(await nodeBinary(version)))
    return 0
  } catch (error) {
    if (!(error instanceof NodeBinaryError)) throw error
    console.error(error.message)
    return 1
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  }
)
