// personalize-runtime (restJson1): recommendations from a campaign's trained model, with the user's events recorded
// since training taken into account at once (the real-time effect of user-personalization).
import { randomUUID } from 'node:crypto'
import { popularItems, recommendForUser, relatedItems, type Model } from './model'
import { excludedItems, parseFilter, type Filter } from './filters'
import { AwsError, ERRORS } from './protocol'
import type { Resource, Store } from './store'

type Input = Record<string, unknown>

interface Served {
  campaign: Resource
  model: Model
  /** The dataset group's recorded events from this index on came after training. */
  eventsSeen: number
  datasetGroupArn: string
  recipe: string
}

function served(store: Store, campaignArn: unknown): Served | AwsError {
  const campaign = store.get('campaign', campaignArn)
  if (!campaign) return ERRORS.notFound(`Could not find resource with ARN ${String(campaignArn)}`)
  const status = store.status(campaign)
  if (status !== 'ACTIVE') return ERRORS.notFound(`The campaign ${campaign.arn} is ${status}; it answers once ACTIVE.`)
  const version = store.get('solution-version', campaign.fields.solutionVersionArn)
  const trained = version ? store.models.get(version.arn) : undefined
  if (!version || !trained) return ERRORS.notFound(`Could not find the solution version of ${campaign.arn}`)
  return {
    campaign,
    ...trained,
    datasetGroupArn: version.fields.datasetGroupArn as string,
    recipe: String(version.fields.recipeArn).split('/').pop()!
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

/** The items the request's filter removes (none without one), or why the filter cannot be used. */
function filtered(store: Store, found: Served, input: Input): Set<string> | AwsError {
  if (input.filterArn === undefined) return new Set()
  const resource = store.get('filter', input.filterArn)
  if (!resource || resource.fields.datasetGroupArn !== found.datasetGroupArn) {
    return ERRORS.notFound(`Could not find resource with ARN ${JSON.stringify(input.filterArn)}`)
  }
  const filter = parseFilter(resource.fields.filterExpression as string) as Filter
  const values = input.filterValues as Record<string, string> | undefined
  return excludedItems(
    store,
    filter,
    found.datasetGroupArn,
    input.userId as string | undefined,
    values,
    found.model.popular
  )
}

const recommendationId = () => `RID-${randomUUID()}`

export function getRecommendations(store: Store, input: Input): Record<string, unknown> | AwsError {
  if (input.recommenderArn !== undefined && input.campaignArn === undefined) {
    return ERRORS.notFound(
      `Could not find resource with ARN ${JSON.stringify(input.recommenderArn)}: the emulator serves campaigns only.`
    )
  }
  const found = served(store, input.campaignArn)
  if (found instanceof AwsError) return found
  const count = (input.numResults as number | undefined) ?? 25
  const exclude = filtered(store, found, input)
  if (exclude instanceof AwsError) return exclude
  let items: Array<[string, number]>
  if (found.recipe === 'aws-sims') {
    if (!input.itemId) return ERRORS.invalidInput('itemId is required for a related-items (aws-sims) campaign.')
    items = relatedItems(found.model, input.itemId as string, count, exclude)
  } else if (found.recipe === 'aws-popularity-count') {
    items = popularItems(found.model, count, exclude)
  } else {
    if (!input.userId) return ERRORS.invalidInput(`userId is required for a ${found.recipe} campaign.`)
    items = recommendForUser(found.model, historyOf(store, found, input.userId as string), count, exclude)
  }
  return { itemList: items.map(([itemId, score]) => ({ itemId, score })), recommendationId: recommendationId() }
}

export function getPersonalizedRanking(store: Store, input: Input): Record<string, unknown> | AwsError {
  const found = served(store, input.campaignArn)
  if (found instanceof AwsError) return found
  const inputList = input.inputList as string[]
  const scores = new Map(
    recommendForUser(found.model, historyOf(store, found, input.userId as string), found.model.popular.length)
  )
  // Items the model has not seen go last, in the order given (as Personalize does).
  const known = inputList.filter((item) => scores.has(item)).sort((a, b) => scores.get(b)! - scores.get(a)!)
  const unknown = inputList.filter((item) => !scores.has(item))
  return {
    personalizedRanking: [
      ...known.map((itemId) => ({ itemId, score: scores.get(itemId) })),
      ...unknown.map((itemId) => ({ itemId }))
    ],
    recommendationId: recommendationId()
  }
}
