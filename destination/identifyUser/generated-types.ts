// Generated file. DO NOT MODIFY IT BY HAND.

export interface Payload {
  /**
   * The Personalize USER_ID: the Segment userId.
   */
  userId: string
  /**
   * Values for the columns of your Users schema, keyed by camelCase column name (MEMBERSHIP_LEVEL → membershipLevel), e.g. membershipLevel → $.traits.plan. Nothing is mapped by default, so no trait (and no personal data) reaches Personalize unless you choose it. Lists are sent joined by "|". At most 24,000 characters as JSON.
   */
  properties?: {
    [k: string]: unknown
  }
  /**
   * Send events in batches: ten users per PutUsers call, with a result for every event.
   */
  enable_batching?: boolean
  /**
   * The most events Segment puts in one batch.
   */
  batch_size?: number
}
