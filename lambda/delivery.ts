// `segment-personalize local --lambda <zip>`: the local stack delivers each stored message Segment's Amazon
// Personalize (Lambda) destination would send (callTypes.ts) to the Lambda build, invoked as Lambda invokes it
// (invoke.ts). The function's environment comes from the destination settings; a change of
// settings starts new sandboxes, as a configuration update does on Lambda.
import type { Settings } from '../destination/generated-types'
import { hashLane, type Attempt, type SubscriptionResult } from '../emulators/segment/delivery'
import { sentToLambda } from './callTypes'
import { environmentFor } from './environment'
import type { LambdaResult } from './handler'
import { startLocalLambda, type Invocation, type LocalLambda } from './invoke'

export interface LambdaDeliveryOptions {
  zip: Uint8Array
  /** Sandboxes invoked side by side (Lambda's concurrency); one user's messages always go to the same one, in order. */
  sandboxes?: number
  node?: string
}

export interface LambdaDelivery {
  attempt: Attempt
  close(): Promise<void>
}

export function lambdaDelivery(options: LambdaDeliveryOptions): LambdaDelivery {
  let pool: { key: string; sandboxes: Promise<LocalLambda[]> } | undefined

  function sandboxesFor(settings: Settings): Promise<LocalLambda[]> {
    const environment = environmentFor(settings)
    const credentials = { accessKeyId: settings.accessKeyId ?? '', secretAccessKey: settings.secretAccessKey ?? '' }
    const key = JSON.stringify([environment, credentials])
    if (pool?.key !== key) {
      const previous = pool
      void previous?.sandboxes.then((old) => Promise.all(old.map((sandbox) => sandbox.close())))
      const count = options.sandboxes ?? 2
      pool = {
        key,
        sandboxes: Promise.all(
          Array.from({ length: count }, () =>
            startLocalLambda({
              zip: options.zip,
              environment,
              credentials,
              region: settings.region,
              node: options.node
            })
          )
        )
      }
    }
    return pool.sandboxes
  }

  // Each message is one invocation of the function, Segment's classic destination having one "subscription".
  const attempt: Attempt = async (deliveries, settings) => {
    const sandboxes = await sandboxesFor(settings)
    const results: SubscriptionResult[][] = deliveries.map(() => [])
    const queues = sandboxes.map(() => [] as number[])
    deliveries.forEach(({ message, person }, i) => {
      if (sentToLambda(message)) queues[hashLane(person, queues.length)]!.push(i)
    })
    await Promise.all(
      queues.map(async (queue, n) => {
        for (const i of queue) results[i]!.push(verdict(await sandboxes[n]!.invoke(deliveries[i]!.message)))
      })
    )
    return results
  }

  return {
    attempt,
    async close() {
      const sandboxes = await pool?.sandboxes
      await Promise.all((sandboxes ?? []).map((sandbox) => sandbox.close()))
    }
  }
}

/** A function error (thrown, timed out, failed to start) is retried, as Segment retries a failed delivery. */
function verdict(invocation: Invocation): SubscriptionResult {
  if ('error' in invocation)
    return {
      subscription: 'Lambda',
      status: 500,
      retryable: true,
      message: `${invocation.error.errorType}: ${invocation.error.errorMessage}`
    }
  const result = invocation.result as LambdaResult
  if (result.ok) return { subscription: 'Lambda', status: 200, retryable: false, message: '' }
  return {
    subscription: 'Lambda',
    status: result.status,
    retryable: false,
    message: `${result.error}: ${result.message}`
  }
}
