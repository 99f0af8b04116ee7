// One configuration for every command. A setting comes from its command-line flag, else its environment variable,
// else the config file, else the command's default; so the same commands run against the local stack or against
// AWS and Segment by changing only the config. The file is --config <file>, else $SEGMENT_PERSONALIZE_CONFIG, else
// ./segment-personalize.json when it exists. docs/configuration.md lists every setting.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

export type FlagValue = string | boolean | string[] | undefined
export type Values = Record<string, FlagValue>

export interface Setting {
  /** The setting's name in the config file. */
  key: string
  /** The environment variable that sets it. */
  env?: string
  /** The flag it fills, by command. */
  flags: Record<string, string>
  /** Flags that, when given, mean the setting does not apply (generate --out writes files: no Segment host). */
  unless?: string[]
  /** Its value is a secret (write keys, tokens): `config` shows that it is set, never what it is. */
  secret?: boolean
  description: string
}

// AWS_ENDPOINT_URL and AWS_REGION are the AWS SDKs' own variables: a shell set up for LocalStack-style endpoints or a
// region already works (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
export const SETTINGS: Setting[] = [
  {
    key: 'dataDir',
    env: 'SEGMENT_PERSONALIZE_DATA_DIR',
    flags: { local: 'data-dir', start: 'data-dir' },
    description:
      "The local stack's data: Segment's logs (segment-logs/), Personalize's journal, delivery, the demo's files"
  },
  {
    key: 'port',
    env: 'SEGMENT_PERSONALIZE_PORT',
    flags: { local: 'port', start: 'port' },
    description: "The local stack's port (default 4566)"
  },
  {
    key: 'personalizeEndpoint',
    env: 'AWS_ENDPOINT_URL',
    flags: { provision: 'endpoint', teardown: 'endpoint', example: 'endpoint', api: 'endpoint' },
    description: "Personalize's endpoint: the local stack's URL; unset for AWS"
  },
  {
    key: 'region',
    env: 'AWS_REGION',
    flags: { provision: 'region', teardown: 'region', example: 'region', api: 'region', lambda: 'region' },
    description: "Personalize's AWS region (default us-west-2)"
  },
  {
    key: 'bucket',
    env: 'SEGMENT_PERSONALIZE_BUCKET',
    flags: { provision: 'bucket' },
    description: 'The S3 bucket provision uploads the CSVs to (AWS only)'
  },
  {
    key: 'roleArn',
    env: 'SEGMENT_PERSONALIZE_ROLE_ARN',
    flags: { provision: 'role-arn' },
    description: 'The IAM role Personalize reads the bucket with (AWS only)'
  },
  {
    key: 'segmentHost',
    env: 'SEGMENT_HOST',
    flags: { generate: 'host' },
    unless: ['out', 'stdout'],
    description:
      "Segment's Tracking API: https://api.segment.io, https://events.eu1.segmentapis.com, or the local stack"
  },
  {
    key: 'writeKeys',
    env: 'SEGMENT_WRITE_KEYS',
    flags: { generate: 'write-key' },
    secret: true,
    description: 'Write keys by source, {"web": "…", "ios": "…"} (in the environment: web=…,ios=…)'
  },
  {
    key: 'profileToken',
    env: 'SEGMENT_PROFILE_TOKEN',
    flags: { local: 'profile-token' },
    secret: true,
    description: "The local stack's Profile API access token (default local-profile-api-token)"
  },
  {
    key: 'destinationSettings',
    env: 'SEGMENT_PERSONALIZE_DESTINATION',
    flags: { local: 'destination', lambda: 'destination' },
    description: "A JSON file of the destination's settings (provision --json writes one)"
  },
  {
    key: 'campaignArn',
    env: 'CAMPAIGN_ARN',
    flags: { api: 'campaign-arn' },
    description: 'The campaign the recommendations API serves'
  },
  {
    key: 'catalogue',
    env: 'CATALOGUE_FILE',
    flags: { api: 'catalogue', local: 'catalogue' },
    description: "The items CSV (the backfill's items.csv): metadata for the recommendations API and the explorer"
  }
]

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export const CONFIG_FILE = 'segment-personalize.json'

/** The config file's settings, or {} when there is none; a file that is not a JSON object is an error. */
export function readConfigFile(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env
): Record<string, unknown> {
  const chosen = file ?? env.SEGMENT_PERSONALIZE_CONFIG ?? (existsSync(CONFIG_FILE) ? CONFIG_FILE : undefined)
  if (!chosen) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(chosen, 'utf8'))
  } catch (error) {
    throw new ConfigError(`Cannot read the config file ${path.resolve(chosen)}: ${(error as Error).message}`)
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(`The config file ${chosen} must hold a JSON object of settings`)
  const known = new Set(SETTINGS.map((setting) => setting.key))
  const unknown = Object.keys(parsed).filter((key) => !known.has(key))
  if (unknown.length > 0)
    throw new ConfigError(
      `The config file ${chosen} has unknown settings: ${unknown.join(', ')} (known: ${[...known].join(', ')})`
    )
  return parsed as Record<string, unknown>
}

/** A config file or environment value as the flag's value: objects become repeatable `<name>=<value>` flags. */
function asFlag(value: unknown, key: string): FlagValue {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  if (value && typeof value === 'object' && !Array.isArray(value))
    return Object.entries(value).map(([name, item]) => `${name}=${String(item)}`)
  throw new ConfigError(`The setting ${key} must be text${key === 'writeKeys' ? ' or an object' : ''}`)
}

/** The command's flags, with the ones not given filled from the environment, then the config file. */
export function withConfig(
  command: string,
  values: Values,
  file: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env
): Values {
  const filled = { ...values }
  for (const setting of SETTINGS) {
    const flag = setting.flags[command]
    if (!flag || filled[flag] !== undefined || setting.unless?.some((other) => filled[other] !== undefined)) continue
    const fromEnv = setting.env ? env[setting.env] : undefined
    if (fromEnv) filled[flag] = setting.key === 'writeKeys' ? fromEnv.split(',') : fromEnv
    else if (file[setting.key] !== undefined) filled[flag] = asFlag(file[setting.key], setting.key)
  }
  return filled
}

export const REDACTED = '(redacted)'

/**
 * A secret setting's value as `config` prints it: the names of write keys (`web=(redacted),ios=(redacted)`, or the
 * file's object with its values replaced), else only that it is set. A terminal, a screen share or a pasted bug
 * report then shows where a secret comes from, never the secret.
 */
function redacted(value: unknown, fromEnv: boolean): string {
  if (fromEnv && typeof value === 'string' && value.includes('='))
    return value
      .split(',')
      .map((pair) => `${pair.split('=')[0] ?? ''}=${REDACTED}`)
      .join(',')
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    return JSON.stringify(Object.fromEntries(Object.keys(value).map((name) => [name, REDACTED])))
  return REDACTED
}

/** Each setting's value and where it comes from (environment or file), for `segment-personalize config`; secrets
 *  redacted. */
export function describeConfig(file: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): string {
  const width = Math.max(...SETTINGS.map((setting) => setting.key.length))
  return SETTINGS.map((setting) => {
    const fromEnv = setting.env ? env[setting.env] : undefined
    const raw: unknown = fromEnv ?? file[setting.key]
    const value =
      raw === undefined
        ? undefined
        : setting.secret
          ? redacted(raw, fromEnv !== undefined)
          : (fromEnv ?? JSON.stringify(raw))
    const source = fromEnv ? `from ${setting.env}` : value !== undefined ? 'from the config file' : 'not set'
    return `${setting.key.padEnd(width)}  ${value ?? '-'}  (${source}; ${setting.env ?? 'no variable'})\n${' '.repeat(width + 2)}${setting.description}`
  }).join('\n')
}
