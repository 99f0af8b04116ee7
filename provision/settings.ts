// The destination's settings for what provision made: the same for the Actions destination, the Destination Function
// and the local stack's delivery.
import type { Settings } from '../destination/generated-types'
import { ROUND_TRIP_SOURCE } from '../emulators/segment/server'
import type { Provisioned } from './provision'

/** The settings; with `endpoint` (the local stack), its endpoints, placeholder credentials and its round-trip source. */
export function destinationSettings(provisioned: Provisioned, region: string, endpoint?: string): Settings {
  return {
    region,
    trackingId: provisioned.trackingId,
    // A Domain dataset group's destination asks its "Recommended for you" recommender; a custom one its campaign.
    ...(provisioned.recommenderArn
      ? { recommenderArn: provisioned.recommenderArn }
      : { campaignArn: provisioned.campaignArn }),
    usersDatasetArn: provisioned.datasetArns.Users,
    itemsDatasetArn: provisioned.datasetArns.Items,
    // The local stack takes any credentials; the destination still needs some to sign with.
    ...(endpoint
      ? {
          personalizeEventsEndpoint: endpoint,
          personalizeRuntimeEndpoint: endpoint,
          accessKeyId: 'local',
          secretAccessKey: 'local',
          // The round-trip's identifies go back into the local stack's Segment.
          segmentEndpoint: `${endpoint}/v1`,
          segmentWriteKey: ROUND_TRIP_SOURCE.writeKey
        }
      : {})
  }
}
