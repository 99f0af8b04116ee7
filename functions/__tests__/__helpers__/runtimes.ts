// The runtimes the built function is tested on, for describe.each: current Node in the vm harness (harness.ts, with
// WebCrypto and current Node's fetch), and a real Node 14 with node-fetch 2.6.0, Node's crypto module and aws-sdk
// 2.488.0 (node14/), with the runtime's dependencies and error classes once as globals and once as parameters of
// Segment's wrapper. Each hands out a fresh function per load, as a new process would be.
import type { FunctionCache, HandlerName, Verdict } from '../../harness'
import { functionCache, loadFunction } from '../../harness'
import { startNode14 } from '../../node14'
import type { Node14Mode, Node14Runtime } from '../../node14'

/** The runtime's own AWS credentials (Segment's, in its environment), which sign AssumeRole when no keys are set. */
export const RUNTIME_CREDENTIALS = {
  accessKeyId: 'ASIARUNTIME',
  secretAccessKey: 'runtime-secret',
  sessionToken: 'runtime-token'
}

export interface LoadedFunction {
  run(handler: HandlerName, payload: unknown, settings: Record<string, unknown>): Promise<Verdict>
}

export interface FunctionRuntime {
  name: string
  start(): Promise<void>
  /** A fresh function; with `cache`, one that shares it with earlier loads (current Node only). */
  load(code: string, cache?: FunctionCache): Promise<LoadedFunction>
  stop(): Promise<void>
}

interface AwsSdk2ForTests {
  config: { update(options: { credentials: unknown }): void }
  Credentials: new (accessKeyId: string, secretAccessKey: string, sessionToken: string) => unknown
}

function currentNode(crypto: 'webcrypto' | 'module'): FunctionRuntime {
  let aws: AwsSdk2ForTests | undefined
  return {
    name: `Node ${process.versions.node} (${crypto === 'webcrypto' ? 'WebCrypto' : 'crypto module'})`,
    start() {
      // aws-sdk 2.488.0, as Segment documents it, with the runtime's own credentials.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      aws = require('aws-sdk-2.488.0') as AwsSdk2ForTests
      const { accessKeyId, secretAccessKey, sessionToken } = RUNTIME_CREDENTIALS
      aws.config.update({ credentials: new aws.Credentials(accessKeyId, secretAccessKey, sessionToken) })
      return Promise.resolve()
    },
    load: (code, cache) => Promise.resolve(loadFunction(code, { aws, crypto, cache: cache ?? functionCache() })),
    stop: () => Promise.resolve()
  }
}

function node14(mode: Node14Mode): FunctionRuntime {
  let runtime: Node14Runtime | undefined
  return {
    name: `Node 14 (${mode})`,
    async start() {
      runtime = await startNode14({
        mode,
        env: {
          AWS_ACCESS_KEY_ID: RUNTIME_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: RUNTIME_CREDENTIALS.secretAccessKey,
          AWS_SESSION_TOKEN: RUNTIME_CREDENTIALS.sessionToken
        }
      })
      expect(runtime.version).toBe('v14.21.3')
    },
    load: (code) => runtime!.load(code),
    stop: async () => runtime?.close()
  }
}

export const RUNTIMES: FunctionRuntime[] = [currentNode('webcrypto'), node14('globals'), node14('parameters')]
export const NODE14_PARAMETERS = RUNTIMES[2]!
export const CURRENT_NODE_WITH_CRYPTO_MODULE = currentNode('module')
