// The built function against the local Personalize, checked with the real AWS SDK v3: events a function sends are
// interactions the campaign learns from at once. On current Node (WebCrypto signing) and on Node 14 with Node's crypto
// module and node-fetch 2.6.0, as Segment documents its runtime: the emulator verifies every signature.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PersonalizeClient } from '@aws-sdk/client-personalize'
import { GetRecommendationsCommand, PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime'
import { credentials, provisionWorkshopCampaign } from '../../emulators/personalize/__tests__/fixtures'
import { createPersonalizeEmulator } from '../../emulators/personalize/server'
import { buildFunction } from '../build'
import { NODE14_PARAMETERS, RUNTIMES } from './__helpers__/runtimes'

test.each([RUNTIMES[0]!, NODE14_PARAMETERS])(
  'on $name: onBatch’s PutEvents reach the local Personalize and change the visitor’s recommendations',
  async (runtime) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'function-personalize-'))
    const emulator = createPersonalizeEmulator({
      delayMs: 0,
      keys: { [credentials.accessKeyId]: credentials.secretAccessKey }
    })
    const endpoint = await emulator.listen()
    await runtime.start()
    try {
      const config = { region: 'us-west-2', endpoint, credentials, maxAttempts: 1 }
      const control = new PersonalizeClient(config)
      const { campaignArn, trackingId } = await provisionWorkshopCampaign(control, dir)
      const recommended = async () =>
        (
          await new PersonalizeRuntimeClient(config).send(
            new GetRecommendationsCommand({ campaignArn, userId: 'anon-42', numResults: 5 })
          )
        ).itemList!.map((item) => item.itemId!)
      const before = await recommended()

      const { code } = await buildFunction(path.join(dir, 'personalize.js'))
      const events = ['book-1', 'book-2', 'book-3'].map((product_id, n) => ({
        type: 'track',
        event: 'Product Viewed',
        messageId: `msg-${n}`,
        anonymousId: 'anon-42',
        timestamp: new Date(1_800_000_000_000 + n).toISOString(),
        properties: { product_id }
      }))
      // The emulator checks SigV4 with these keys: the function's signatures must be right.
      const verdict = await (
        await runtime.load(code)
      ).run('onBatch', events, {
        region: 'us-west-2',
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        trackingId: trackingId,
        personalizeEventsEndpoint: endpoint
      })
      expect(verdict).toEqual({ outcome: 'delivered', value: [{ status: 200 }, { status: 200 }, { status: 200 }] })
      const after = await recommended()
      expect(after).not.toEqual(before)
      expect(after.every((item) => item.startsWith('book'))).toBe(true)
    } finally {
      await runtime.stop()
      await emulator.close()
    }
  },
  120_000
)
