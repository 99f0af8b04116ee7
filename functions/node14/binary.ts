// A real Node 14 binary for the tests: Segment's docs say Functions run on Node.js 14
// (https://segment.com/docs/connections/functions/#runtime). Fetched from npm and cached by common/nodeBinary.ts, which
// fetches the current Node lines for CI the same way.
import { nodeBinary } from '../../common/nodeBinary'

export const NODE14_VERSION = '14.21.3'

/** The path of a Node 14 binary, downloading it once. */
export function node14Binary(): Promise<string> {
  return nodeBinary(NODE14_VERSION)
}
