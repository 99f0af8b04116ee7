// The Node 14 harness: the built function run by a real Node 14 binary (binary.ts), in a child process (runner.ts), with
// the dependencies Segment documents in their documented versions: node-fetch 2.6.0 as `fetch`, Node's crypto module
// as `crypto`, aws-sdk 2.488.0 as `AWS` (devDependencies under the aliases node-fetch-2.6.0 and aws-sdk-2.488.0), in
// "globals" or "parameters" mode. One child serves many loads and runs; each load is a fresh runtime (new context,
// new cache), as a new process would be.
import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { build } from 'esbuild'
import type { HandlerName, Verdict } from '../harness'
import { node14Binary } from './binary'

export type Node14Mode = 'globals' | 'parameters'

export interface Node14Options {
  mode: Node14Mode
  /** The child's environment: the runtime's own AWS credentials (AWS_ACCESS_KEY_ID, …), for aws-sdk's STS. */
  env?: Record<string, string>
}

/** A function loaded in the Node 14 child: runs a handler as Segment would. */
export interface Node14Function {
  run(handler: HandlerName, payload: unknown, settings: Record<string, unknown>): Promise<Verdict>
}

export interface Node14Runtime {
  readonly version: string
  load(code: string): Promise<Node14Function>
  /** The child's CPU time so far (user + system), in µs. */
  cpuMicros(): Promise<number>
  close(): Promise<void>
}

const extension = path.extname(__filename)
let runnerFile: Promise<string> | undefined

// runner.ts compiled for Node 14 (syntax lowered; it uses only Node 14's APIs).
async function compiledRunner(): Promise<string> {
  const outfile = path.join(mkdtempSync(path.join(os.tmpdir(), 'node14-runner-')), 'runner.js')
  await build({
    entryPoints: [path.join(__dirname, `runner${extension}`)],
    bundle: true,
    platform: 'node',
    target: 'node14',
    format: 'cjs',
    outfile,
    logLevel: 'silent'
  })
  return outfile
}

export async function startNode14(options: Node14Options): Promise<Node14Runtime> {
  const [binary, runner] = await Promise.all([node14Binary(), (runnerFile ??= compiledRunner())])
  const child: ChildProcessWithoutNullStreams = spawn(binary, [runner], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_FETCH_PATH: require.resolve('node-fetch-2.6.0'),
      AWS_SDK_PATH: require.resolve('aws-sdk-2.488.0'),
      ...options.env
    },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const waiting = new Map<number, { resolve: (answer: Answer) => void; reject: (error: Error) => void }>()
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code) => {
      for (const { reject } of waiting.values())
        reject(new TypeError(`The Node 14 child exited (${String(code)}): ${stderr.slice(-2000)}`))
      waiting.clear()
      resolve()
    })
  )
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const answer = JSON.parse(line) as Answer
    waiting.get(answer.id)?.resolve(answer)
    waiting.delete(answer.id)
  })
  let nextId = 0
  const ask = (request: object): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const id = ++nextId
      waiting.set(id, { resolve, reject })
      child.stdin.write(`${JSON.stringify({ id, ...request })}\n`)
    })
  const version = await new Promise<string>((resolve, reject) =>
    spawn(binary, ['--version'])
      .on('error', reject)
      .stdout.on('data', (chunk: Buffer) => resolve(chunk.toString().trim()))
  )
  return {
    version,
    async load(code) {
      const loaded = await ask({ op: 'load', code, mode: options.mode })
      if (loaded.error !== undefined) throw new TypeError(`Node 14 could not load the function: ${loaded.error}`)
      // Each load replaces the child's handlers: the function loaded last is the one that runs.
      return {
        async run(handler, payload, settings) {
          const answer = await ask({ op: 'run', handler, payload, settings })
          if (answer.verdict === undefined) throw new TypeError(`The Node 14 runner failed: ${answer.error ?? ''}`)
          return answer.verdict
        }
      }
    },
    async cpuMicros() {
      return (await ask({ op: 'cpu' })).cpuMicros ?? NaN
    },
    async close() {
      child.stdin.end()
      await exited
    }
  }
}

interface Answer {
  id: number
  verdict?: Verdict
  cpuMicros?: number
  error?: string
}
