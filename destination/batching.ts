import type { InputField } from '@segment/actions-core'

/**
 * The two fields Segment's platform reads to batch an action's events (actions-core has no logic for them):
 * `enable_batching`, and `batch_size` kept within the 1000 events Segment puts in a batch.
 */
export function batchingFields(
  whatABatchDoes: string,
  defaultSize: number
): Record<'enable_batching' | 'batch_size', InputField> {
  return {
    enable_batching: {
      label: 'Batch Data to Personalize',
      description: `Send events in batches: ${whatABatchDoes}, with a result for every event.`,
      type: 'boolean',
      default: true
    },
    batch_size: {
      label: 'Batch Size',
      description: 'The most events Segment puts in one batch.',
      type: 'number',
      default: defaultSize,
      minimum: 1,
      maximum: 1000,
      unsafe_hidden: true
    }
  }
}
