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
