// Generated file. DO NOT MODIFY IT BY HAND.

export interface Payload {
  /**
   * The Personalize USER_ID. Leave it empty for anonymous visitors: their events are recorded under the session ID and joined to the user once an event carries both.
   */
  userId?: string
  /**
   * Required by Personalize. Defaults to context.sessionId, else anonymousId, else userId. Keep it stable across a visit: Personalize links anonymous activity to the user through it.
   */
  sessionId: string
  /**
   * A unique ID for the interaction; Personalize ignores later events that reuse it when training, so replays do not count twice. Defaults to the Segment messageId; product interactions get `<eventId>-<index>`.
   */
  eventId?: string
  /**
   * The Personalize EVENT_TYPE, such as "Product Viewed". Defaults to the Segment event name.
   */
  eventType: string
  /**
   * When the interaction happened: any ISO-8601 date-time (a missing offset means UTC) or epoch seconds or milliseconds. Sent to Personalize as epoch seconds.
   */
  sentAt: string | number
  /**
   * The Personalize ITEM_ID of a single-product event. Defaults to properties.product_id, else properties.sku (the workshop's events carry only sku). Ignored when Products has entries.
   */
  itemId?: string
  /**
   * The EVENT_VALUE of a single-product event, such as a rating or a price. Defaults to properties.value.
   */
  eventValue?: number
  /**
   * The item IDs the user was shown along with this item (at most 25), so Personalize learns what was skipped.
   */
  impression?: string[]
  /**
   * The recommendationId of the recommendations the user acted on (at most 40 characters), for impressions and metric attribution. Defaults to properties.recommendation_id.
   */
  recommendationId?: string
  /**
   * Values for the extra columns of your Interactions schema, keyed by the camelCase column name (NUMBER_OF_RATINGS → numberOfRatings). Sent as a JSON string of at most 1024 characters; Personalize's reserved keys (userId, sessionId, eventType, timestamp, recommendationId, impression) are left out. Empty by default, because Personalize rejects keys that are not columns of your schema.
   */
  properties?: {
    [k: string]: unknown
  }
  /**
   * For events with a products array (Order Completed, Checkout Started, Cart Viewed): one interaction per product, each with the product's item ID and an event ID of `<eventId>-<index>`. Defaults to properties.products, with item ID product_id else sku.
   */
  products?: {
    /**
     * The product's ITEM_ID.
     */
    itemId?: string
    /**
     * The product's EVENT_VALUE, such as its price. Not mapped by default.
     */
    eventValue?: number
  }[]
  /**
   * Send events in batches: each batch is grouped by session and user and sent ten interactions per PutEvents call, with a result for every event.
   */
  enable_batching?: boolean
  /**
   * The most events Segment puts in one batch.
   */
  batch_size?: number
}
