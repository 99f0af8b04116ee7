// A local Lambda: runs a built zip the way Lambda's Node.js runtime does, for the tests, the benchmark and
// `segment-personalize local --lambda`. The zip is unpacked into a task folder; a cold start is a fresh Node process
// with Lambda's environment (only it: nothing of ours leaks in) that loads the handler module named by _HANDLER from
// there; each invocation gets a context whose getRemainingTimeInMillis counts down the function's time-out, and one
// that runs past it ends its process, as Lambda ends the sandbox, so the next invocation starts cold.
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
import { fork, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import AdmZip from 'adm-zip'

export interface LocalLambdaOptions {
  /** The zip as `lambda build` writes it. */
  zip: Uint8Array
  /** The function's own environment variables (its configuration). */
  environment: Record<string, string>
  /** The execution role's credentials, which Lambda puts in the environment. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  region?: string
  functionName?: string
  handler?: string
  timeoutMs?: number
  memoryMb?: number
  /** The Node binary (default: this process's). */
  node?: string
  /** Drop the function's console output (default: it goes to this process's stdout and stderr). */
  quiet?: boolean
}

/** How an invocation ended, as Lambda's Invoke reports it: a result, or a function error with its type. */
export type Invocation =
  | { result: unknown; coldStart: boolean; durationMs: number }
  | { error: { errorType: string; errorMessage: string }; coldStart: boolean; durationMs: number }

export interface LocalLambda {
  invoke(event: unknown): Promise<Invocation>
  /** Ends the warm process, as Lambda does to an idle sandbox; the next invocation starts cold. */
  recycle(): void
  close(): Promise<void>
}

// The runtime's side: loads the handler at start (an error there is reported by every invocation, as Lambda reports
// an Init error) and answers each invocation over IPC.
const BOOTSTRAP = `'use strict'
const path = require('path')
const [file, name] = process.env._HANDLER.split('.')
let handler
let initError
try {
  handler = require(path.join(process.env.LAMBDA_TASK_ROOT, file))[name]
  if (typeof handler !== 'function') throw Object.assign(new Error(process.env._HANDLER + ' is undefined or not exported'), { name: 'Runtime.HandlerNotFound' })
} catch (error) {
  initError = error
}
const failure = (error) => ({ errorType: (error && error.name) || 'Error', errorMessage: (error && error.message) || String(error) })
process.on('message', async ({ requestId, deadline, event }) => {
  if (initError) return process.send({ requestId, error: failure(initError) })
  const context = {
    awsRequestId: requestId,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now())
  }
  try {
    const result = await handler(event, context)
    process.send({ requestId, result: result === undefined ? null : result })
  } catch (error) {
    process.send({ requestId, error: failure(error) })
  }
})
process.send({ ready: true })
`

export async function startLocalLambda(options: LocalLambdaOptions): Promise<LocalLambda> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'local-lambda-'))
  const task = path.join(root, 'task')
  new AdmZip(Buffer.from(options.zip)).extractAllTo(task, true)
  const bootstrap = path.join(root, 'bootstrap.cjs')
  await writeFile(bootstrap, BOOTSTRAP)
  const timeoutMs = options.timeoutMs ?? 10_000
  const functionName = options.functionName ?? 'segment-personalize'
  const region = options.region ?? 'us-west-2'
  const env: Record<string, string> = {
    ...options.environment,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb ?? 256),
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: task,
    _HANDLER: options.handler ?? 'index.handler',
    TZ: ':UTC',
    AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
    ...(options.credentials.sessionToken ? { AWS_SESSION_TOKEN: options.credentials.sessionToken } : {})
  }

  let warm: { child: ChildProcess; ready: Promise<void> } | undefined
  const coldStart = () => {
    const child = fork(bootstrap, [], {
      cwd: task,
      env,
      execPath: options.node,
      // Node's flags for the runtime only: not this process's (a loader such as tsx, an inspector).
      execArgv: [],
      stdio: options.quiet ? ['ignore', 'ignore', 'ignore', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc']
    })
    const ready = new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve())
      child.once('exit', (code) => reject(new Error(`the runtime exited (${code}) before it was ready`)))
    })
    return { child, ready }
  }
  const recycle = () => {
    warm?.child.kill('SIGKILL')
    warm = undefined
  }

  return {
    recycle,
    async invoke(event) {
      const started = Date.now()
      const cold = warm === undefined
      warm ??= coldStart()
      const { child, ready } = warm
      await ready
      const requestId = randomUUID()
      // The time-out counts from the invocation, not the cold start (Lambda's init phase has its own limit).
      const deadline = Date.now() + timeoutMs
      return new Promise<Invocation>((resolve) => {
        const done = (outcome: Omit<Invocation, 'coldStart' | 'durationMs'>) => {
          clearTimeout(timer)
          child.off('message', onMessage)
          child.off('exit', onExit)
          resolve({ ...outcome, coldStart: cold, durationMs: Date.now() - started } as Invocation)
        }
        const onMessage = (message: {
          requestId?: string
          result?: unknown
          error?: { errorType: string; errorMessage: string }
        }) => {
          if (message.requestId !== requestId) return
          done(message.error ? { error: message.error } : { result: message.result })
        }
        const onExit = (code: number | null) => {
          if (warm?.child === child) warm = undefined
          done({
            error: {
              errorType: 'Runtime.ExitError',
              errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status ${code}`
            }
          })
        }
        // Lambda's own words for a time-out; the sandbox is ended with the invocation.
        const timer = setTimeout(
          () => {
            recycle()
            done({
              error: {
                errorType: 'Sandbox.Timedout',
                errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`
              }
            })
          },
          Math.max(0, deadline - Date.now())
        )
        child.on('message', onMessage)
        child.once('exit', onExit)
        child.send({ requestId, deadline, event })
      })
    },
    async close() {
      recycle()
      await rm(root, { recursive: true, force: true })
    }
  }
}
