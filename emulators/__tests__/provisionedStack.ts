// A local stack in-process with a provisioned local Personalize (campaign and event tracker from the workshop's
// data, through the real SDK) and destination settings for it, for the explorer's and the mappings view's tests.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PersonalizeClient } from '@aws-sdk/client-personalize'
import type { Settings } from '../../destination/generated-types'
import { localSettings } from '../../test/localProcess'
import { startLocalStack, type LocalStackOptions } from '../localStack'
import { credentials, provisionWorkshopCampaign } from '../personalize/__tests__/fixtures'

export async function provisionedStack(options: LocalStackOptions = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'stack-'))
  let settings: Settings | undefined
  const stack = await startLocalStack({
    delayMs: 0,
    lingerMs: 20,
    backoffMs: 20,
    ...options,
    dataDir,
    settings: () => settings
  })
  const control = new PersonalizeClient({ region: 'us-west-2', endpoint: stack.url, credentials, maxAttempts: 1 })
  const { campaignArn, trackingId } = await provisionWorkshopCampaign(control, dataDir)
  /** Settings for PutEvents only (trackEvent's subscriptions), or with the round-trip's campaign. */
  const settingsFor = (roundTrip: boolean): Settings =>
    localSettings(stack.url, trackingId, roundTrip ? { campaignArn } : {})
  /** Every interaction the local Personalize recorded, and the users and items it was sent. */
  const recorded = () => ({
    events: [...stack.personalize.store.events.values()].flat(),
    metadata: [...stack.personalize.store.metadata.values()].flatMap((table) => [...table.keys()])
  })
  return {
    stack,
    dataDir,
    recorded,
    configure: (roundTrip = false) => (settings = settingsFor(roundTrip)),
    unconfigure: () => (settings = undefined)
  }
}
