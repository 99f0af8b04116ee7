// The Lambda's settings from its environment: each row of the table, under each of its names; the required one
// missing; and deploy's environment read back as the same settings.
import { ConfigurationError, environmentFor, executionRole, settingsFrom, VARIABLES } from '../environment'

const required = { PERSONALIZE_TRACKING_ID: 'tracker' }

// Endpoint settings must be URLs the destination allows (a local emulator here); the others any text.
const valueOf = (setting: string, text: string) =>
  /Endpoint$/.test(setting) ? `http://127.0.0.1:4566/${text}` : `value-of-${text}`

describe.each(VARIABLES.map((variable) => [variable.setting, variable] as const))('%s', (setting, variable) => {
  test.each(variable.names)('is read from %s (trimmed)', (name) => {
    const env = { ...(setting === 'trackingId' ? {} : required), [name]: `  ${valueOf(setting, name)}  ` }
    expect(settingsFrom(env)[setting]).toBe(valueOf(setting, name))
  })

  test('our name wins over the workshop’s', () => {
    const env = Object.fromEntries(variable.names.map((name, i) => [name, valueOf(setting, `v${i}`)]))
    expect(settingsFrom({ ...required, ...env })[setting]).toBe(valueOf(setting, 'v0'))
  })
})

test('without a tracking ID the function does not start, and says which variable to set', () => {
  expect(() => settingsFrom({ PERSONALIZE_TRACKING_ID: '  ' })).toThrow(ConfigurationError)
  expect(() => settingsFrom({})).toThrow(
    /Set the environment variable PERSONALIZE_TRACKING_ID \(or personalize_tracking_id\)/
  )
})

test('the region defaults to us-west-2 only when nothing names one', () => {
  expect(settingsFrom(required).region).toBe('us-west-2')
  expect(settingsFrom({ ...required, AWS_REGION: 'eu-west-1' }).region).toBe('eu-west-1')
  expect(settingsFrom({ ...required, AWS_REGION: 'eu-west-1', PERSONALIZE_REGION: 'us-east-1' }).region).toBe(
    'us-east-1'
  )
})

test('deploy’s environment gives the function the settings it was made from', () => {
  const settings = {
    region: 'eu-west-1',
    trackingId: 't',
    campaignArn: 'arn:aws:personalize:eu-west-1:1:campaign/c',
    usersDatasetArn: 'arn:aws:personalize:eu-west-1:1:dataset/d/USERS',
    segmentWriteKey: 'wk'
  }
  expect(settingsFrom(environmentFor(settings))).toEqual(settings)
  expect(Object.keys(environmentFor(settings))).not.toContain('AWS_REGION')
})

test('credentials are the execution role’s, from Lambda’s variables; none is a CredentialsProviderError', async () => {
  await expect(
    executionRole({ AWS_ACCESS_KEY_ID: 'ASIA', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' })()
  ).resolves.toEqual({ accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't' })
  await expect(executionRole({})()).rejects.toMatchObject({ name: 'CredentialsProviderError' })
})

test('an endpoint override outside the service’s domains stops the cold start, naming the variable’s setting', () => {
  expect(() => settingsFrom({ ...required, SEGMENT_ENDPOINT: 'https://collector.evil.example/v1' })).toThrow(
    /Segment Endpoint \(segmentEndpoint\) "https:\/\/collector\.evil\.example" is not allowed/
  )
})
