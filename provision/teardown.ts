// `segment-personalize teardown`: deletes what provision created under a name, in dependency order (campaigns, event
// trackers, solutions with their versions, datasets, the dataset group, then the schemas), waiting for each deletion
// to finish before the next step: Personalize refuses to delete a resource that something still uses.
import {
  DeleteCampaignCommand,
  DeleteDatasetCommand,
  DeleteDatasetGroupCommand,
  DeleteEventTrackerCommand,
  DeleteSchemaCommand,
  DeleteSolutionCommand,
  ListCampaignsCommand,
  ListDatasetGroupsCommand,
  ListDatasetsCommand,
  ListEventTrackersCommand,
  ListSchemasCommand,
  ListSolutionsCommand,
  type PersonalizeClient
} from '@aws-sdk/client-personalize'
import { ProvisionError } from './provision'

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
  const groups = (await client.send(new ListDatasetGroupsCommand({ maxResults: 100 }))).datasetGroups ?? []
  const datasetGroupArn = groups.find((group) => group.name === name)?.datasetGroupArn
  if (datasetGroupArn) {
    const solutions = async () =>
      ((await client.send(new ListSolutionsCommand({ datasetGroupArn, maxResults: 100 }))).solutions ?? []).map(
        (s) => s.solutionArn!
      )
    const campaigns = async () => {
      const all = await Promise.all(
        (await solutions()).map(
          async (solutionArn) =>
            (await client.send(new ListCampaignsCommand({ solutionArn, maxResults: 100 }))).campaigns ?? []
        )
      )
      return all.flat().map((c) => c.campaignArn!)
    }
    const trackers = async () =>
      ((await client.send(new ListEventTrackersCommand({ datasetGroupArn, maxResults: 100 }))).eventTrackers ?? []).map(
        (t) => t.eventTrackerArn!
      )
    const datasets = async () =>
      ((await client.send(new ListDatasetsCommand({ datasetGroupArn, maxResults: 100 }))).datasets ?? []).map(
        (d) => d.datasetArn!
      )
    const datasetGroups = async () =>
      ((await client.send(new ListDatasetGroupsCommand({ maxResults: 100 }))).datasetGroups ?? []).map(
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
    ((await client.send(new ListSchemasCommand({ maxResults: 100 }))).schemas ?? [])
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
