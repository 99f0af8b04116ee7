// `segment-personalize teardown`: deletes what provision created under a name, in dependency order (campaigns,
// recommenders, event trackers, solutions with their versions, datasets, the dataset group, then the schemas), waiting for each deletion
// to finish before the next step: Personalize refuses to delete a resource that something still uses.
import {
  DeleteCampaignCommand,
  DeleteDatasetCommand,
  DeleteDatasetGroupCommand,
  DeleteEventTrackerCommand,
  DeleteRecommenderCommand,
  DeleteSchemaCommand,
  DeleteSolutionCommand,
  paginateListCampaigns,
  paginateListDatasetGroups,
  paginateListDatasets,
  paginateListEventTrackers,
  paginateListRecommenders,
  paginateListSchemas,
  paginateListSolutions,
  type PersonalizeClient
} from '@aws-sdk/client-personalize'
import { ProvisionError } from './provision'

/** Every entry of a List operation, page by page. */
async function all<P, T>(pages: AsyncIterable<P>, entries: (page: P) => T[] | undefined): Promise<T[]> {
  const found: T[] = []
  for await (const page of pages) found.push(...(entries(page) ?? []))
  return found
}

export interface TeardownOptions {
  name: string
  personalize: PersonalizeClient
  pollMs?: number
  timeoutMs?: number
  onProgress?: (line: string) => void
}

/** Deletes, then waits until `remaining` no longer lists what was deleted. */
async function removeAll(
  options: TeardownOptions,
  what: string,
  arns: string[],
  remove: (arn: string) => Promise<unknown>,
  remaining: () => Promise<string[]>,
  deleted: string[]
): Promise<void> {
  if (arns.length === 0) return
  for (const arn of arns) await remove(arn)
  const started = Date.now()
  for (;;) {
    const left = (await remaining()).filter((arn) => arns.includes(arn))
    if (left.length === 0) break
    if (Date.now() - started > (options.timeoutMs ?? 3_600_000))
      throw new ProvisionError(`${what} still being deleted after an hour: ${left.join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 10_000))
  }
  deleted.push(...arns.map((arn) => `${what} ${arn}`))
  options.onProgress?.(`deleted ${arns.length} ${what}`)
}

/** Deletes everything under `name`; returns what it deleted (nothing, if there was nothing). */
export async function teardown(options: TeardownOptions): Promise<string[]> {
  const { personalize: client, name } = options
  const deleted: string[] = []
  const groups = await all(paginateListDatasetGroups({ client }, {}), (page) => page.datasetGroups)
  const datasetGroupArn = groups.find((group) => group.name === name)?.datasetGroupArn
  if (datasetGroupArn) {
    const solutions = async () =>
      (await all(paginateListSolutions({ client }, { datasetGroupArn }), (page) => page.solutions)).map(
        (s) => s.solutionArn!
      )
    const campaigns = async () => {
      const found = await Promise.all(
        (await solutions()).map((solutionArn) =>
          all(paginateListCampaigns({ client }, { solutionArn }), (page) => page.campaigns)
        )
      )
      return found.flat().map((c) => c.campaignArn!)
    }
    const recommenders = async () =>
      (await all(paginateListRecommenders({ client }, { datasetGroupArn }), (page) => page.recommenders)).map(
        (r) => r.recommenderArn!
      )
    const trackers = async () =>
      (await all(paginateListEventTrackers({ client }, { datasetGroupArn }), (page) => page.eventTrackers)).map(
        (t) => t.eventTrackerArn!
      )
    const datasets = async () =>
      (await all(paginateListDatasets({ client }, { datasetGroupArn }), (page) => page.datasets)).map(
        (d) => d.datasetArn!
      )
    const datasetGroups = async () =>
      (await all(paginateListDatasetGroups({ client }, {}), (page) => page.datasetGroups)).map(
        (g) => g.datasetGroupArn!
      )
    await removeAll(
      options,
      'campaigns',
      await campaigns(),
      (campaignArn) => client.send(new DeleteCampaignCommand({ campaignArn })),
      campaigns,
      deleted
    )
    await removeAll(
      options,
      'recommenders',
      await recommenders(),
      (recommenderArn) => client.send(new DeleteRecommenderCommand({ recommenderArn })),
      recommenders,
      deleted
    )
    await removeAll(
      options,
      'event trackers',
      await trackers(),
      (eventTrackerArn) => client.send(new DeleteEventTrackerCommand({ eventTrackerArn })),
      trackers,
      deleted
    )
    await removeAll(
      options,
      'solutions',
      await solutions(),
      (solutionArn) => client.send(new DeleteSolutionCommand({ solutionArn })),
      solutions,
      deleted
    )
    await removeAll(
      options,
      'datasets',
      await datasets(),
      (datasetArn) => client.send(new DeleteDatasetCommand({ datasetArn })),
      datasets,
      deleted
    )
    await removeAll(
      options,
      'dataset groups',
      [datasetGroupArn],
      (arn) => client.send(new DeleteDatasetGroupCommand({ datasetGroupArn: arn })),
      datasetGroups,
      deleted
    )
  }
  const schemas = async () =>
    (await all(paginateListSchemas({ client }, {}), (page) => page.schemas))
      .filter((schema) => ['interactions', 'users', 'items'].some((type) => schema.name === `${name}-${type}`))
      .map((schema) => schema.schemaArn!)
  await removeAll(
    options,
    'schemas',
    await schemas(),
    (schemaArn) => client.send(new DeleteSchemaCommand({ schemaArn })),
    schemas,
    deleted
  )
  return deleted
}
