// Generated file. DO NOT MODIFY IT BY HAND.

export interface Payload {
  /**
   * The Segment userId, used for GetRecommendations and as the identify's userId.
   */
  userId?: string
  /**
   * The Segment anonymousId, sent on the identify so the trait lands on the anonymous profile too.
   */
  anonymousId?: string
  /**
   * For anonymous visitors, the Personalize user ID is the session ID, as Personalize advises. Keep it the same as Track Event's Session ID so the visitor's recorded events count. Defaults to context.sessionId, else anonymousId.
   */
  sessionId?: string
  /**
   * For related-items campaigns (e.g. SIMS): the item to find related items for. Not mapped by default.
   */
  itemId?: string
  /**
   * How many items to ask for: 1 to 500 (Personalize's default is 25).
   */
  numResults?: number
  /**
   * A Personalize filter to apply, e.g. one that excludes items the user already bought.
   */
  filterArn?: string
  /**
   * Values for the filter's $parameters (at most 25), keyed by parameter name. Personalize expects string values in quotes ("\"shoes\"") and several values comma-separated.
   */
  filterValues?: {
    [k: string]: unknown
  }
  /**
   * Contextual metadata for the recommendation (at most 150 entries), such as DEVICE, keyed by the Interactions schema column.
   */
  context?: {
    [k: string]: unknown
  }
  /**
   * Optional. A share of the recommendations filled with items a filter selects, such as items on sale (Personalize's promotions: at most one). Each promoted item's promotion name is written to the <Trait Name>_promotions trait, keyed by item ID.
   */
  promotions?: {
    /**
     * The promotion name (1 to 63 characters).
     */
    name?: string
    /**
     * The share of the recommendations to promote, 1 to 100.
     */
    percentPromotedItems?: number
    /**
     * The filter that selects the promoted items.
     */
    filterArn?: string
    /**
     * Values for the promotion filter's $parameters, as for Filter Values.
     */
    filterValues?: {
      [k: string]: unknown
    }
  }
  /**
   * The profile trait that receives the recommended item IDs.
   */
  traitName: string
  /**
   * Optional. A trait that receives the recommendationId, so later events can carry it back as Track Event's Recommendation ID (e.g. recommendation_id).
   */
  recommendationIdTrait?: string
  /**
   * The identify's integrations object. The default { All: false } keeps Segment from forwarding it to other destinations; profiles still receive it. Name a destination with true to forward it there.
   */
  integrations?: {
    [k: string]: unknown
  }
  /**
   * The triggering event's messageId. The identify's messageId is derived from it, so a repeat of the same event is deduplicated by Segment instead of writing the trait twice.
   */
  messageId?: string
  /**
   * Set on the identifies this action sends (context.personalize.roundTrip); events that carry it are skipped, so a round-trip never starts another.
   */
  roundTrip?: boolean
  /**
   * Send events in batches: one GetRecommendations per distinct user and one Segment call per batch, with a result for every event.
   */
  enable_batching?: boolean
  /**
   * The most events Segment puts in one batch.
   */
  batch_size?: number
}
