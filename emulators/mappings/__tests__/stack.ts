// A local stack in-process with a provisioned local Personalize (campaign and event tracker from the workshop's
// data, through the real SDK) and destination settings for it, for the mappings view's tests.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CreateCampaignCommand, CreateEventTrackerCommand, PersonalizeClient } from '@aws-sdk/client-personalize'
import type { Settings } from '../../../destination/generated-types'
import { startLocalStack, type LocalStackOptions } from '../../localStack'
import { credentials, provisionWorkshop, workshopCsv } from '../../personalize/__tests__/fixtures'
import { ROUND_TRIP_SOURCE } from '../../segment/server'

export async function provisionedStack(options: LocalStackOptions = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'mappings-'))
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
  const { datasetGroupArn, solutionVersionArn } = await provisionWorkshop(control, dataDir, workshopCsv())
  const { campaignArn } = await control.send(new CreateCampaignCommand({ name: 'campaign', solutionVersionArn }))
  const { trackingId } = await control.send(new CreateEventTrackerCommand({ name: 'tracker', datasetGroupArn }))
  /** Settings for PutEvents only (trackEvent's subscriptions), or with the round-trip (campaign, Segment source). */
  const settingsFor = (roundTrip: boolean): Settings => ({
    region: 'us-west-2',
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    trackingId: trackingId!,
    personalizeEventsEndpoint: stack.url,
    personalizeRuntimeEndpoint: stack.url,
    ...(roundTrip
      ? { campaignArn, segmentWriteKey: ROUND_TRIP_SOURCE.writeKey, segmentEndpoint: `${stack.url}/v1` }
      : {})
  })
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
