import { PersonalizeClient } from '@aws-sdk/client-personalize'
import { S3Client } from '@aws-sdk/client-s3'
import { provision, ProvisionError } from '../../provision/provision'
import { teardown } from '../../provision/teardown'
import { destinationSettings } from '../../provision/settings'
import { provisionUsage, teardownUsage } from './options'

import { text } from '../values'

type Values = Record<string, string | boolean | string[] | undefined>

function client(values: Values) {
  const region = text(values.region) ?? process.env.AWS_REGION ?? 'us-west-2'
  const endpoint = text(values.endpoint)
  // The local stack takes any credentials; the SDK still wants some.
  const local = endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}
  return { region, endpoint, personalize: new PersonalizeClient({ region, ...local }) }
}

function explain(error: unknown): string {
  if (error instanceof ProvisionError) return error.message
  const { name, message } = error as Error
  if (/AccessDenied|UnrecognizedClient|InvalidSignature|CredentialsProviderError/.test(name))
    return `${name}: ${message}. Check the AWS credentials (environment, profile or role) and that they allow personalize:* (and s3:PutObject on the bucket).`
  return `${name}: ${message}`
}

export async function runProvision(values: Values): Promise<number> {
  const name = text(values.name)
  const interactions = text(values.interactions)
  if (!name || !interactions) {
    console.error(`--name and --interactions are required.\n\n${provisionUsage}`)
    return 2
  }
  const domain = text(values.domain)
  if (domain !== undefined && domain.toUpperCase() !== 'ECOMMERCE') {
    console.error(`--domain takes ecommerce (the domain this package provisions), not "${domain}".`)
    return 2
  }
  const { region, endpoint, personalize } = client(values)
  const bucket = text(values.bucket)
  if (!endpoint && (!bucket || !text(values['role-arn']))) {
    console.error('Against AWS, --bucket and --role-arn are required: Personalize imports CSVs from S3 with that role.')
    return 2
  }
  try {
    const result = await provision({
      name,
      personalize,
      csv: { Interactions: interactions, Users: text(values.users), Items: text(values.items) },
      s3: endpoint ? undefined : { client: new S3Client({ region }), bucket: bucket! },
      roleArn: text(values['role-arn']),
      domain: domain === undefined ? undefined : 'ECOMMERCE',
      pollMs: endpoint ? 200 : 15_000,
      onProgress: (line) => console.error(line)
    })
    const settings = destinationSettings(result, region, endpoint)
    if (values.json) console.log(JSON.stringify(settings, null, 2))
    else {
      console.log('\nDestination settings for Segment (Amazon Personalize (Actions), or the Destination Function):')
      for (const [key, value] of Object.entries(settings)) if (value) console.log(`  ${key.padEnd(26)} ${value}`)
    }
    return 0
  } catch (error) {
    console.error(explain(error))
    return 1
  }
}

export async function runTeardown(values: Values): Promise<number> {
  const name = text(values.name)
  if (!name) {
    console.error(`--name is required.\n\n${teardownUsage}`)
    return 2
  }
  const { endpoint, personalize } = client(values)
  try {
    const deleted = await teardown({
      name,
      personalize,
      pollMs: endpoint ? 200 : 10_000,
      onProgress: (line) => console.error(line)
    })
    console.log(
      deleted.length === 0 ? `nothing named ${name} to delete` : `deleted ${deleted.length} resources of ${name}`
    )
    return 0
  } catch (error) {
    console.error(explain(error))
    return 1
  }
}
