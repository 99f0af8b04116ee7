// The workshop's exercise 2 (dataset group, schema, dataset, import, solution, version, metrics, campaign) done with
// the AWS CLI against the local stack, as a user who knows the CLI would: botocore's own serializers, paginators and
// error parsing judge the local Personalize. The CLI is Python's (`aws`, version 1 from pip, or Debian's awscli);
// .ci/run makes sure there is one.
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { startLocalStack, type LocalStack } from '../emulators/localStack'
import { INTERACTIONS_SCHEMA, workshopCsv } from '../emulators/personalize/__tests__/fixtures'

const run = promisify(execFile)
const REGION = 'eu-west-1'
let stack: LocalStack
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'aws-cli-'))
  stack = await startLocalStack({ delayMs: 0 })
})
afterAll(() => stack.close())

/** `aws <service> <command> …` against the local stack; its JSON answer. */
async function aws(service: string, command: string, ...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    'aws',
    [service, command, ...args, '--endpoint-url', stack.url, '--region', REGION, '--output', 'json'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        AWS_ACCESS_KEY_ID: 'AKIDCLI',
        AWS_SECRET_ACCESS_KEY: 'cli-secret',
        AWS_CONFIG_FILE: path.join(dir, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none')
      },
      timeout: 60_000
    }
  )
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>)
}

class NotActive extends Error {
  override name = 'NotActive'
}

async function untilActive(
  command: string,
  arnFlag: string,
  arn: string,
  key: string
): Promise<Record<string, string>> {
  for (let i = 0; i < 50; i++) {
    const described = (await aws('personalize', command, arnFlag, arn))[key] as Record<string, string>
    if (described.status === 'ACTIVE') return described
    if (/FAILED/.test(described.status ?? '')) throw new NotActive(`${command}: ${JSON.stringify(described)}`)
  }
  throw new NotActive(`${command} never ACTIVE`)
}

test('exercise 2 with the AWS CLI: dataset group to campaign, the solution’s metrics, then recommendations', async () => {
  const { datasetGroupArn } = (await aws('personalize', 'create-dataset-group', '--name', 'segment-workshop')) as {
    datasetGroupArn: string
  }
  expect(datasetGroupArn).toMatch(new RegExp(`^arn:aws:personalize:${REGION}:\\d{12}:dataset-group/segment-workshop$`))
  await untilActive('describe-dataset-group', '--dataset-group-arn', datasetGroupArn, 'datasetGroup')

  const schemaFile = path.join(dir, 'event_schema.avsc')
  writeFileSync(schemaFile, INTERACTIONS_SCHEMA)
  const { schemaArn } = (await aws(
    'personalize',
    'create-schema',
    '--name',
    'segment-workshop-schema',
    '--schema',
    `file://${schemaFile}`
  )) as { schemaArn: string }
  const { datasetArn } = (await aws(
    'personalize',
    'create-dataset',
    '--name',
    'interactions',
    '--schema-arn',
    schemaArn,
    '--dataset-group-arn',
    datasetGroupArn,
    '--dataset-type',
    'Interactions'
  )) as { datasetArn: string }

  const csv = path.join(dir, 'run-1551018703844-part-r-00000.csv')
  writeFileSync(csv, workshopCsv())
  const { datasetImportJobArn } = (await aws(
    'personalize',
    'create-dataset-import-job',
    '--job-name',
    'segment-workshop-import',
    '--dataset-arn',
    datasetArn,
    '--data-source',
    `dataLocation=file://${csv}`,
    '--role-arn',
    'arn:aws:iam::123456789012:role/module-personalize-PersonalizeExecutionRole'
  )) as { datasetImportJobArn: string }
  const imported = await untilActive(
    'describe-dataset-import-job',
    '--dataset-import-job-arn',
    datasetImportJobArn,
    'datasetImportJob'
  )
  expect(imported).toMatchObject({ jobName: 'segment-workshop-import' })

  const { recipes } = (await aws('personalize', 'list-recipes')) as { recipes: Array<{ name: string }> }
  expect(recipes.map((recipe) => recipe.name)).toContain('aws-user-personalization')

  const { solutionArn } = (await aws(
    'personalize',
    'create-solution',
    '--name',
    'segment-workshop-solution',
    '--dataset-group-arn',
    datasetGroupArn,
    '--recipe-arn',
    'arn:aws:personalize:::recipe/aws-user-personalization'
  )) as { solutionArn: string }
  const { solutionVersionArn } = (await aws(
    'personalize',
    'create-solution-version',
    '--solution-arn',
    solutionArn
  )) as { solutionVersionArn: string }
  await untilActive('describe-solution-version', '--solution-version-arn', solutionVersionArn, 'solutionVersion')

  // The workshop's "look at the metrics" step: AWS's metric names, with values a trained model gives.
  const { metrics } = (await aws(
    'personalize',
    'get-solution-metrics',
    '--solution-version-arn',
    solutionVersionArn
  )) as {
    metrics: Record<string, number>
  }
  expect(Object.keys(metrics)).toEqual(
    expect.arrayContaining([
      'coverage',
      'mean_reciprocal_rank_at_25',
      'normalized_discounted_cumulative_gain_at_10',
      'precision_at_25'
    ])
  )
  expect(metrics.normalized_discounted_cumulative_gain_at_10).toBeGreaterThan(0)

  const { campaignArn } = (await aws(
    'personalize',
    'create-campaign',
    '--name',
    'segment-workshop-campaign',
    '--solution-version-arn',
    solutionVersionArn,
    '--min-provisioned-tps',
    '1'
  )) as { campaignArn: string }
  await untilActive('describe-campaign', '--campaign-arn', campaignArn, 'campaign')
  const { itemList } = (await aws(
    'personalize-runtime',
    'get-recommendations',
    '--campaign-arn',
    campaignArn,
    '--user-id',
    'user-3',
    '--num-results',
    '5'
  )) as { itemList: Array<{ itemId: string }> }
  // user-3 browses shoes (the fixture's first taste).
  expect(itemList).toHaveLength(5)
  expect(itemList.filter((item) => item.itemId.startsWith('shoe')).length).toBeGreaterThanOrEqual(4)
}, 300_000)

test('the CLI’s paginator sees every page; a token that is not ours is InvalidNextTokenException', async () => {
  for (let i = 0; i < 5; i++) await aws('personalize', 'create-dataset-group', '--name', `paged-${i}`)
  // --page-size 1: the CLI follows nextToken page by page and prints them all as one list.
  const { datasetGroups } = (await aws('personalize', 'list-dataset-groups', '--page-size', '1')) as {
    datasetGroups: Array<{ name: string }>
  }
  expect(datasetGroups.map((group) => group.name)).toEqual(
    expect.arrayContaining(['paged-0', 'paged-1', 'paged-2', 'paged-3', 'paged-4'])
  )
  const firstTwo = (await aws('personalize', 'list-dataset-groups', '--max-items', '2')) as {
    datasetGroups: unknown[]
    NextToken?: string
  }
  expect(firstTwo.datasetGroups).toHaveLength(2)
  expect(firstTwo.NextToken).toEqual(expect.any(String))
  await expect(
    aws('personalize', 'list-dataset-groups', '--no-paginate', '--next-token', 'not-a-token-of-ours')
  ).rejects.toMatchObject({ stderr: expect.stringContaining('InvalidNextTokenException') })
}, 120_000)
