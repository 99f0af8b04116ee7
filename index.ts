// The package's public entry: the Actions destination's definition, for Segment's framework or a Destination runner.
export { default as destination } from './destination'
export { presets } from './destination/presets'
export type { Settings } from './destination/generated-types'
