// What Segment's Amazon Personalize (Lambda) destination is set to send the function: a Lambda ARN for track and for
// identify calls (page, screen, group and alias left empty, so Segment sends none), and, for track calls, its
// "Events" setting listing the events to send: those the destination's presets act on.
// https://segment.com/docs/connections/destinations/catalog/amazon-personalize/
export const CALL_TYPES = ['track', 'identify']
export const TRACK_EVENTS = ['Product Viewed', 'Product Clicked', 'Product Added', 'Order Completed']

/** Whether Segment, so set up, invokes the function for this message. */
export function sentToLambda(message: Record<string, unknown>): boolean {
  if (!CALL_TYPES.includes(String(message.type))) return false
  return message.type !== 'track' || TRACK_EVENTS.includes(String(message.event))
}
