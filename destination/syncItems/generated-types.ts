// Generated file. DO NOT MODIFY IT BY HAND.

export interface Payload {
  /**
   * The ITEM_ID of a single-product event. Defaults to properties.product_id, else properties.sku.
   */
  itemId?: string
  /**
   * Values for the columns of your Items schema, keyed by camelCase column name (CATEGORY_L1 → categoryL1). Defaults to name, category, price and brand: remove the ones your schema does not have, since Personalize rejects unknown columns. Lists are sent joined by "|". At most 32,000 characters as JSON.
   */
  properties?: {
    [k: string]: unknown
  }
  /**
   * For events with a products array: one item per element, with its name, category, price and brand. Defaults to properties.products, with item ID product_id else sku.
   */
  products?: {
    /**
     * The product's ITEM_ID.
     */
    itemId?: string
    /**
     * The product's name.
     */
    name?: string
    /**
     * The product's category.
     */
    category?: string
    /**
     * The product's price.
     */
    price?: number
    /**
     * The product's brand.
     */
    brand?: string
  }[]
  /**
   * Send events in batches: ten items per PutItems call, each item once per batch, with a result for every event.
   */
  enable_batching?: boolean
  /**
   * The most events Segment puts in one batch.
   */
  batch_size?: number
}
