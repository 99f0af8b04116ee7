// personalize-runtime (restJson1): recommendations from a campaign's or a recommender's trained model, with the user's
// events recorded since training taken into account at once (the real-time effect of user-personalization), filters,
// promotions and item metadata.
// https://docs.aws.amazon.com/personalize/latest/dg/API_RS_GetRecommendations.html
import { randomUUID } from 'node:crypto'
import { popularItems, recommendForUser, relatedItems, type Model } from './model'
import { excludedItems, parseFilter, type Filter } from './filters'
import { avroFields } from './controlPlane'
import { AwsError, ERRORS } from './protocol'
import { recipeOf, type Recipe } from './recipes'
import type { Resource, Store } from './store'
import { camel } from './training'

type Input = Record<string, unknown>
type Ranked = Array<[string, number]>

interface Served {
  resource: Resource
  model: Model
  /** The dataset group's recorded events from this index on came after training. */
  eventsSeen: number
  datasetGroupArn: string
  recipe: Recipe
  /** Whether item metadata may be asked for (campaignConfig / recommenderConfig.enableMetadataWithRecommendations). */
  metadata: boolean
}

const enabled = (config: unknown) =>
  (config as { enableMetadataWithRecommendations?: boolean } | undefined)?.enableMetadataWithRecommendations === true

/** The campaign or recommender a request names, trained and ACTIVE, or the error for it. */
function servedBy(store: Store, input: Input): Served | AwsError {
  if (input.campaignArn !== undefined && input.recommenderArn !== undefined)
    return ERRORS.invalidInput('Give either campaignArn or recommenderArn, not both.')
  if (input.recommenderArn !== undefined) {
    const recommender = store.get('recommender', input.recommenderArn)
    if (!recommender) return ERRORS.notFound(`Could not find resource with ARN ${input.recommenderArn as string}`)
    const status = store.status(recommender)
    const trained = store.models.get(recommender.arn)
    if (status !== 'ACTIVE' || !trained)
      return ERRORS.invalidInput(`The recommender ${recommender.arn} is ${status}; it answers once ACTIVE.`)
    return {
      resource: recommender,
      ...trained,
      datasetGroupArn: recommender.fields.datasetGroupArn as string,
      recipe: recipeOf(recommender.fields.recipeArn)!,
      metadata: enabled(recommender.fields.recommenderConfig)
    }
  }
  if (input.campaignArn === undefined) return ERRORS.invalidInput('Give a campaignArn or a recommenderArn.')
  const campaign = store.get('campaign', input.campaignArn)
  if (!campaign) return ERRORS.notFound(`Could not find resource with ARN ${input.campaignArn as string}`)
  const status = store.status(campaign)
  if (status !== 'ACTIVE') return ERRORS.notFound(`The campaign ${campaign.arn} is ${status}; it answers once ACTIVE.`)
  const version = store.get('solution-version', campaign.fields.solutionVersionArn)
  const trained = version ? store.models.get(version.arn) : undefined
  if (!version || !trained) return ERRORS.notFound(`Could not find the solution version of ${campaign.arn}`)
  return {
    resource: campaign,
    ...trained,
    datasetGroupArn: version.fields.datasetGroupArn as string,
    recipe: recipeOf(version.fields.recipeArn)!,
    metadata: enabled(campaign.fields.campaignConfig)
  }
}

/**
 * The user's history: what they were trained on, then their events recorded since, and their anonymous session's
 * events (never trained on: Personalize needs an event with both ids to join them), so new events count at once.
 */
function historyOf(store: Store, served: Served, userId: string): string[] {
  const live = store
    .eventsOf(served.datasetGroupArn, userId, served.eventsSeen)
    .flatMap((e) => (e.itemId ? [e.itemId] : []))
  return [...(served.model.histories.get(userId) ?? []), ...live]
}

/** The items a filter removes (none without one), or why the filter cannot be used. */
function filtered(
  store: Store,
  found: Served,
  filterArn: unknown,
  values: unknown,
  userId: unknown
): Set<string> | AwsError {
  if (filterArn === undefined) return new Set()
  const resource = store.get('filter', filterArn)
  if (!resource || resource.fields.datasetGroupArn !== found.datasetGroupArn) {
    return ERRORS.notFound(`Could not find resource with ARN ${JSON.stringify(filterArn)}`)
  }
  const filter = parseFilter(resource.fields.filterExpression as string) as Filter
  return excludedItems(
    store,
    filter,
    found.datasetGroupArn,
    userId as string | undefined,
    values as Record<string, string> | undefined,
    found.model.popular
  )
}

/** The recipe's ranking for the request, best first, without the excluded items. */
function ranked(store: Store, found: Served, input: Input, count: number, exclude: Set<string>): Ranked {
  switch (found.recipe.serving) {
    case 'related':
      return relatedItems(found.model, input.itemId as string, count, exclude)
    case 'popular':
      return popularItems(found.model, count, exclude)
    default:
      return recommendForUser(found.model, historyOf(store, found, input.userId as string), count, exclude)
  }
}

/** What each recipe kind needs in a GetRecommendations request (ECOMMERCE-use-cases.html, the recipes' pages). */
function requestProblem(found: Served, input: Input): AwsError | undefined {
  const { recipe } = found
  if (recipe.serving === 'ranking')
    return ERRORS.invalidInput(
      `${recipe.name} is a PERSONALIZED_RANKING recipe: ask it with GetPersonalizedRanking, not GetRecommendations.`
    )
  if (recipe.serving === 'related' && !input.itemId)
    return ERRORS.invalidInput(`itemId is required for a ${recipe.name} (RELATED_ITEMS) ${kindOf(found)}.`)
  const needsUser = recipe.serving === 'user' || (recipe.serving === 'popular' && recipe.domain !== undefined)
  if (needsUser && !input.userId)
    return ERRORS.invalidInput(`userId is required for a ${recipe.name} ${kindOf(found)}.`)
  return undefined
}

const kindOf = (found: Served) => (found.resource.kind === 'recommender' ? 'recommender' : 'campaign')

// With metadata, at most 50 results (numResults and inputList documentation in the runtime model).
const METADATA_MAX_RESULTS = 50

/** The columns to return for each item, or why they cannot be given. */
function metadataColumns(store: Store, found: Served, input: Input): string[] | AwsError | undefined {
  const asked = input.metadataColumns as Record<string, string[]> | undefined
  if (asked === undefined) return undefined
  if (!found.metadata)
    return ERRORS.invalidInput(
      `Metadata is not enabled for ${found.resource.arn}: set enableMetadataWithRecommendations in its ${kindOf(found)} config.`
    )
  const other = Object.keys(asked).find((key) => key !== 'ITEMS')
  if (other) return ERRORS.invalidInput(`metadataColumns takes the ITEMS dataset's columns only, not ${other}.`)
  const items = itemsDataset(store, found.datasetGroupArn)
  const schema = items ? store.get('schema', items.fields.schemaArn) : undefined
  const known = schema ? avroFields(schema.fields.schema as string) : []
  const columns = asked.ITEMS ?? []
  const unknown = columns.filter((column) => !Array.isArray(known) || !known.includes(column))
  if (unknown.length > 0)
    return ERRORS.invalidInput(`The Items dataset of ${found.datasetGroupArn} has no column ${unknown.join(', ')}.`)
  return columns
}

const itemsDataset = (store: Store, datasetGroupArn: string) =>
  store.list('dataset', (d) => d.fields.datasetGroupArn === datasetGroupArn && d.fields.datasetType === 'ITEMS')[0]

/** An item's values of the asked columns, from the Items dataset (imports and PutItems). */
function metadataOf(store: Store, found: Served, itemId: string, columns: string[]): Record<string, string> {
  const dataset = itemsDataset(store, found.datasetGroupArn)
  const properties = dataset ? store.metadata.get(dataset.arn)?.get(itemId) : undefined
  const values = properties ? (JSON.parse(properties) as Record<string, unknown>) : {}
  return Object.fromEntries(
    columns.flatMap((column) => {
      const value = column === 'ITEM_ID' ? itemId : values[camel(column)]
      return value === undefined || value === null
        ? []
        : [[column, typeof value === 'string' ? value : JSON.stringify(value)]]
    })
  )
}

interface Promotion {
  name?: string
  percentPromotedItems?: number
  filterArn?: string
  filterValues?: Record<string, string>
}

/**
 * A promotion: a share of the list (percentPromotedItems of numResults, rounded down) filled with the best items that
 * the promotion's filter keeps, each marked with the promotion's name; the request's own filter applies to the other
 * items only (https://docs.aws.amazon.com/personalize/latest/dg/promoting-items.html). Personalize places promoted
 * items among the others at random; the emulator spreads them evenly, so that answers are repeatable.
 */
function promote(
  store: Store,
  found: Served,
  input: Input,
  count: number,
  exclude: Set<string>
): Array<{ itemId: string; score: number; promotionName?: string }> | AwsError {
  const promotion = (input.promotions as Promotion[] | undefined)?.[0]
  if (!promotion) return ranked(store, found, input, count, exclude).map(([itemId, score]) => ({ itemId, score }))
  if (!promotion.name || promotion.percentPromotedItems === undefined || promotion.filterArn === undefined)
    return ERRORS.invalidInput('A promotion needs a name, a percentPromotedItems and a filterArn.')
  const promotionExclude = filtered(store, found, promotion.filterArn, promotion.filterValues, input.userId)
  if (promotionExclude instanceof AwsError) return promotionExclude
  const share = Math.floor((count * promotion.percentPromotedItems) / 100)
  const promoted = ranked(store, found, input, share, promotionExclude)
    .filter(([item]) => !promotionExclude.has(item))
    .slice(0, share)
  const taken = new Set(promoted.map(([item]) => item))
  const rest = ranked(store, found, input, count - promoted.length, new Set([...exclude, ...taken]))
  const list: Array<{ itemId: string; score: number; promotionName?: string }> = rest.map(([itemId, score]) => ({
    itemId,
    score
  }))
  const total = rest.length + promoted.length
  promoted.forEach(([itemId, score], k) => {
    const at = Math.floor(((k + 0.5) * total) / promoted.length)
    list.splice(Math.min(at, list.length), 0, { itemId, score, promotionName: promotion.name })
  })
  return list
}

const recommendationId = () => `RID-${randomUUID()}`

export function getRecommendations(store: Store, input: Input): Record<string, unknown> | AwsError {
  const found = servedBy(store, input)
  if (found instanceof AwsError) return found
  const problem = requestProblem(found, input)
  if (problem) return problem
  const columns = metadataColumns(store, found, input)
  if (columns instanceof AwsError) return columns
  const count = (input.numResults as number | undefined) ?? 25
  if (columns && count > METADATA_MAX_RESULTS)
    return ERRORS.invalidInput(`numResults is at most ${METADATA_MAX_RESULTS} when metadataColumns are given.`)
  const exclude = filtered(store, found, input.filterArn, input.filterValues, input.userId)
  if (exclude instanceof AwsError) return exclude
  const items = promote(store, found, input, count, exclude)
  if (items instanceof AwsError) return items
  return {
    itemList: items.map((item) =>
      columns ? { ...item, metadata: metadataOf(store, found, item.itemId, columns) } : item
    ),
    recommendationId: recommendationId()
  }
}

export function getPersonalizedRanking(store: Store, input: Input): Record<string, unknown> | AwsError {
  const found = servedBy(store, input)
  if (found instanceof AwsError) return found
  // Personalized ranking needs a PERSONALIZED_RANKING recipe's campaign (API_RS_GetPersonalizedRanking.html).
  if (found.recipe.serving !== 'ranking')
    return ERRORS.invalidInput(
      `The campaign ${found.resource.arn} uses ${found.recipe.name}, not a PERSONALIZED_RANKING recipe: GetPersonalizedRanking needs aws-personalized-ranking(-v2).`
    )
  const columns = metadataColumns(store, found, input)
  if (columns instanceof AwsError) return columns
  const inputList = input.inputList as string[]
  if (columns && inputList.length > METADATA_MAX_RESULTS)
    return ERRORS.invalidInput(`inputList has at most ${METADATA_MAX_RESULTS} items when metadataColumns are given.`)
  const exclude = filtered(store, found, input.filterArn, input.filterValues, input.userId)
  if (exclude instanceof AwsError) return exclude
  const scores = new Map(
    recommendForUser(found.model, historyOf(store, found, input.userId as string), found.model.popular.length)
  )
  const kept = inputList.filter((item) => !exclude.has(item))
  // Items the model has not seen go last, in the order given (as Personalize does).
  const known = kept.filter((item) => scores.has(item)).sort((a, b) => scores.get(b)! - scores.get(a)!)
  const unknown = kept.filter((item) => !scores.has(item))
  const withMetadata = (itemId: string) => (columns ? { metadata: metadataOf(store, found, itemId, columns) } : {})
  return {
    personalizedRanking: [
      ...known.map((itemId) => ({ itemId, score: scores.get(itemId), ...withMetadata(itemId) })),
      ...unknown.map((itemId) => ({ itemId, ...withMetadata(itemId) }))
    ],
    recommendationId: recommendationId()
  }
}
