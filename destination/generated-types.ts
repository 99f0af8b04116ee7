// Generated file. DO NOT MODIFY IT BY HAND.

export interface Settings {
  /**
   * The AWS region of your Personalize dataset group and event tracker.
   */
  region: string
  /**
   * The ARN of an IAM role that Segment assumes to call Personalize (arn:aws:iam::<account id>:role/<name>). The role needs personalize:PutEvents and a trust policy with the External ID below. Leave empty to use an access key pair instead.
   */
  iamRoleArn?: string
  /**
   * The external ID in the IAM role's trust policy, required with IAM Role ARN. Generate a long random string and treat it like a password.
   */
  iamExternalId?: string
  /**
   * The access key ID of an IAM user allowed to call personalize:PutEvents. Used when IAM Role ARN is empty; with IAM Role ARN set, it signs the AssumeRole call instead.
   */
  accessKeyId?: string
  /**
   * The secret access key that belongs to the Access Key ID.
   */
  secretAccessKey?: string
  /**
   * The tracking ID of your Personalize event tracker (Personalize console → dataset group → Event trackers, or the `trackingId` that CreateEventTracker returned).
   */
  trackingId: string
  /**
   * The Personalize campaign that Sync Recommendations asks (GetRecommendations), e.g. arn:aws:personalize:us-west-2:123456789012:campaign/segment-workshop-campaign. Set this or Recommender ARN.
   */
  campaignArn?: string
  /**
   * A Personalize domain recommender to ask instead of a campaign (arn:aws:personalize:<region>:<account>:recommender/<name>). Used when Campaign ARN is empty.
   */
  recommenderArn?: string
  /**
   * The Users dataset that Identify User writes to (PutUsers), ending in /USERS, e.g. arn:aws:personalize:us-west-2:123456789012:dataset/segment-workshop/USERS.
   */
  usersDatasetArn?: string
  /**
   * The Items dataset that Sync Items writes to (PutItems), ending in /ITEMS, e.g. arn:aws:personalize:us-west-2:123456789012:dataset/segment-workshop/ITEMS.
   */
  itemsDatasetArn?: string
  /**
   * The write key of the Segment source that receives the identify calls carrying recommendations (Sync Recommendations). Use a source whose identifies reach your Profiles (Unify) space.
   */
  segmentWriteKey?: string
  /**
   * Where that source lives: US (api.segment.io) or EU (events.eu1.segmentapis.com). Segment rejects data sent to the wrong region.
   */
  segmentRegion?: string
  /**
   * Optional. A Tracking API base URL that replaces the region's (e.g. http://127.0.0.1:4567/v1 for the local stack).
   */
  segmentEndpoint?: string
  /**
   * Optional. A URL that replaces https://personalize-events.<region>.amazonaws.com, for a VPC endpoint or the local emulator (`segment-personalize local`).
   */
  personalizeEventsEndpoint?: string
  /**
   * Optional. A URL that replaces https://personalize-runtime.<region>.amazonaws.com, for a VPC endpoint or the local emulator.
   */
  personalizeRuntimeEndpoint?: string
  /**
   * Optional. A URL that replaces https://sts.<region>.amazonaws.com for assuming the IAM role, for a VPC endpoint or the local emulator.
   */
  stsEndpoint?: string
}
