// Shared by the emulator's tests: the local credentials and the workshop's Interactions schema
// (exercise2/event_schema.avsc).
export const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' }

export const INTERACTIONS_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Interactions',
  namespace: 'com.amazonaws.personalize.schema',
  fields: [
    { name: 'USER_ID', type: 'string' },
    { name: 'ITEM_ID', type: 'string' },
    { name: 'EVENT_TYPE', type: 'string' },
    { name: 'TIMESTAMP', type: 'long' }
  ],
  version: '1.0'
})
