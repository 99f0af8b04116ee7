// A local Personalize with one of everything, made with the real SDK: a custom dataset group (Interactions, Users and
// Items datasets, import, export, solutions, versions, campaigns, filter, tracker) and an ECOMMERCE Domain dataset
// group with a recommender. The conformance and behaviour tests call every operation against it.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  CreateCampaignCommand,
  CreateDatasetCommand,
  CreateDatasetExportJobCommand,
  CreateDatasetGroupCommand,
  CreateDatasetImportJobCommand,
  CreateEventTrackerCommand,
  CreateFilterCommand,
  CreateRecommenderCommand,
  CreateSchemaCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  type PersonalizeClient
} from '@aws-sdk/client-personalize'
import { EXPORT_ROLE_ARN, INTERACTIONS_SCHEMA, workshopCsv } from './fixtures'

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/PersonalizeRole'
export const recipe = (name: string) => `arn:aws:personalize:::recipe/${name}`

const schemaOf = (name: string, fields: Array<[string, string]>) =>
  JSON.stringify({
    type: 'record',
    name,
    namespace: 'com.amazonaws.personalize.schema',
    fields: fields.map(([field, type]) => ({ name: field, type })),
    version: '1.0'
  })

export const ITEMS_SCHEMA = schemaOf('Items', [
  ['ITEM_ID', 'string'],
  ['CATEGORY', 'string'],
  ['PRICE', 'float']
])
export const USERS_SCHEMA = schemaOf('Users', [
  ['USER_ID', 'string'],
  ['MEMBERSHIP', 'string']
])

/** The workshop's two tastes with ECOMMERCE's event types: every third interaction is a Purchase, the others Views. */
export function ecommerceCsv(): string {
  const [header, ...rows] = workshopCsv(150, 15).split('\n')
  return [header, ...rows.map((row, i) => row.replace('Product Viewed', i % 3 === 0 ? 'Purchase' : 'View'))].join('\n')
}

export function itemsCsv(): string {
  const rows = ['ITEM_ID,CATEGORY,PRICE']
  for (let i = 0; i < 10; i++) rows.push(`shoe-${i},shoes,${50 + i}`, `book-${i},books,${10 + i}`)
  return rows.join('\n')
}

export type World = Awaited<ReturnType<typeof buildWorld>>

export async function buildWorld(control: PersonalizeClient, dir: string) {
  let counter = 0
  const unique = (prefix: string) => `${prefix}-${++counter}`
  const file = (name: string, text: string) => {
    const at = path.join(dir, name)
    writeFileSync(at, text)
    return `file://${at}`
  }
  const interactionsCsv = file('interactions.csv', workshopCsv())
  const domainCsv = file('ecommerce.csv', ecommerceCsv())
  const items = file('items.csv', itemsCsv())

  const group = async (name: string, domain?: 'ECOMMERCE') =>
    (await control.send(new CreateDatasetGroupCommand({ name, domain }))).datasetGroupArn!
  const schema = async (name: string, text: string, domain?: 'ECOMMERCE') =>
    (await control.send(new CreateSchemaCommand({ name, schema: text, domain }))).schemaArn!
  const dataset = async (datasetGroupArn: string, schemaArn: string, datasetType: string) =>
    (await control.send(new CreateDatasetCommand({ name: unique('dataset'), schemaArn, datasetGroupArn, datasetType })))
      .datasetArn!
  const importInto = async (datasetArn: string, dataLocation: string) =>
    (
      await control.send(
        new CreateDatasetImportJobCommand({
          jobName: unique('import'),
          datasetArn,
          dataSource: { dataLocation },
          roleArn: ROLE_ARN
        })
      )
    ).datasetImportJobArn!
  const solution = async (datasetGroupArn: string, recipeName: string) =>
    (
      await control.send(
        new CreateSolutionCommand({ name: unique('solution'), datasetGroupArn, recipeArn: recipe(recipeName) })
      )
    ).solutionArn!
  const version = async (solutionArn: string) =>
    (await control.send(new CreateSolutionVersionCommand({ solutionArn }))).solutionVersionArn!
  const campaign = async (solutionVersionArn: string, enableMetadataWithRecommendations = false) =>
    (
      await control.send(
        new CreateCampaignCommand({
          name: unique('campaign'),
          solutionVersionArn,
          campaignConfig: { enableMetadataWithRecommendations }
        })
      )
    ).campaignArn!

  const groupArn = await group('workshop')
  const schemaArn = await schema('interactions', INTERACTIONS_SCHEMA)
  const interactionsArn = await dataset(groupArn, schemaArn, 'Interactions')
  const itemsArn = await dataset(groupArn, await schema('items', ITEMS_SCHEMA), 'Items')
  const usersArn = await dataset(groupArn, await schema('users', USERS_SCHEMA), 'Users')
  const importJobArn = await importInto(interactionsArn, interactionsCsv)
  await importInto(itemsArn, items)
  const solutionArn = await solution(groupArn, 'aws-user-personalization')
  const versionArn = await version(solutionArn)
  const campaignArn = await campaign(versionArn, true)
  const rankingVersionArn = await version(await solution(groupArn, 'aws-personalized-ranking'))
  const rankingCampaignArn = await campaign(rankingVersionArn)
  const { filterArn } = await control.send(
    new CreateFilterCommand({
      name: 'shoes-only',
      datasetGroupArn: groupArn,
      filterExpression: 'INCLUDE ItemID WHERE Items.CATEGORY IN ("shoes")'
    })
  )
  const { eventTrackerArn, trackingId } = await control.send(
    new CreateEventTrackerCommand({ name: 'tracker', datasetGroupArn: groupArn })
  )
  const { datasetExportJobArn } = await control.send(
    new CreateDatasetExportJobCommand({
      jobName: 'export',
      datasetArn: interactionsArn,
      ingestionMode: 'BULK',
      roleArn: EXPORT_ROLE_ARN,
      jobOutput: { s3DataDestination: { path: `file://${dir}/exports/` } }
    })
  )

  const domainGroupArn = await group('shop', 'ECOMMERCE')
  const domainInteractionsArn = await dataset(
    domainGroupArn,
    await schema('shop-interactions', INTERACTIONS_SCHEMA, 'ECOMMERCE'),
    'Interactions'
  )
  const domainItemsArn = await dataset(domainGroupArn, await schema('shop-items', ITEMS_SCHEMA, 'ECOMMERCE'), 'Items')
  await importInto(domainInteractionsArn, domainCsv)
  await importInto(domainItemsArn, items)
  const recommender = async (recipeName = 'aws-ecomm-recommended-for-you', enableMetadataWithRecommendations = true) =>
    (
      await control.send(
        new CreateRecommenderCommand({
          name: unique('recommender'),
          datasetGroupArn: domainGroupArn,
          recipeArn: recipe(recipeName),
          recommenderConfig: { enableMetadataWithRecommendations }
        })
      )
    ).recommenderArn!
  const recommenderArn = await recommender()

  return {
    unique,
    group,
    schema,
    dataset,
    solution,
    version,
    campaign,
    recommender,
    interactionsCsv,
    groupArn,
    schemaArn,
    interactionsArn,
    itemsArn,
    usersArn,
    importJobArn,
    solutionArn,
    versionArn,
    campaignArn,
    rankingCampaignArn,
    filterArn: filterArn!,
    eventTrackerArn: eventTrackerArn!,
    trackingId: trackingId!,
    exportJobArn: datasetExportJobArn!,
    domainGroupArn,
    domainItemsArn,
    recommenderArn
  }
}
