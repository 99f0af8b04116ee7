// Limits of Amazon Personalize's personalize-events API, from its service model
// (botocore `personalize-events/2018-03-22/service-2.json`, @aws-sdk/client-personalize-events 3.1143.0) and
// https://docs.aws.amazon.com/personalize/latest/dg/API_UBS_PutEvents.html
export const PUT_EVENTS_MAX_EVENTS = 10
export const ID_MAX_LENGTH = 256
export const EVENT_TYPE_MAX_LENGTH = 256
export const RECOMMENDATION_ID_MAX_LENGTH = 40
export const IMPRESSION_MAX_ITEMS = 25
export const EVENT_PROPERTIES_MAX_LENGTH = 1024

// Keys Personalize reserves and rejects inside `Event.properties` (case-insensitive): they have fields of their own.
// https://docs.aws.amazon.com/personalize/latest/dg/API_UBS_Event.html
export const RESERVED_PROPERTY_KEYS = new Set([
  'userid',
  'sessionid',
  'eventtype',
  'timestamp',
  'recommendationid',
  'impression'
])
