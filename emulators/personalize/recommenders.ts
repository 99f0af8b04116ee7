// Recommenders: a Domain dataset group's use cases, trained when created, served by GetRecommendations with
// `recommenderArn`, stopped and started, and updated (https://docs.aws.amazon.com/personalize/latest/dg/creating-recommenders.html).
// A use case trains on the group's interactions (imported and recorded); each needs a minimum of its required event
// type ("At minimum 1000 View events", ECOMMERCE-use-cases.html) besides the training minimums, and fails to create
// without it, with the reason in failureReason.
import { metricsWhenAsked } from './metrics'
import { train } from './model'
import { AwsError, ERRORS } from './protocol'
import { MIN_EVENTS_OF_TYPE, recipeOf } from './recipes'
import { create, notFound, remove, type Operation } from './resources'
import type { Phase, Resource, Store } from './store'
import { minimumsProblem, trainingData } from './training'

// The default the documentation gives for minRecommendationRequestsPerSecond (RecommenderConfig in the API reference).
const DEFAULT_CONFIG = { minRecommendationRequestsPerSecond: 1 }

/** The status a recommender must have for a change, or the ResourceInUseException saying it has another. */
function inState(store: Store, recommender: Resource, wanted: string, doing: string): AwsError | undefined {
  const status = store.status(recommender)
  return status === wanted
    ? undefined
    : ERRORS.inUse(`The recommender ${recommender.arn} is ${status}; it can be ${doing} when it is ${wanted}.`)
}

/** StopRecommender and StartRecommender: a recommender in state `from` goes through `verb`'s phase to `to`. */
function transition(from: string, doing: string, verb: Phase['verb'], to: Phase['to']): Operation {
  return (store, input) => {
    const recommender = store.get('recommender', input.recommenderArn)
    if (!recommender) return notFound(input.recommenderArn)
    const problem = inState(store, recommender, from, doing)
    if (problem) return problem
    store.change(recommender, verb, to)
    return { recommenderArn: recommender.arn }
  }
}

export function recommenderOperations(): Record<string, Operation> {
  return {
    CreateRecommender: (store, input) => {
      const group = store.get('dataset-group', input.datasetGroupArn)
      if (!group) return notFound(input.datasetGroupArn)
      const recipe = recipeOf(input.recipeArn)
      if (!recipe) return notFound(input.recipeArn)
      if (!recipe.domain)
        return ERRORS.invalidInput(
          `${String(input.recipeArn)} is a custom recipe: a recommender takes a Domain dataset group use case (recipe/aws-ecomm-…).`
        )
      if (group.fields.domain !== recipe.domain)
        return ERRORS.invalidInput(
          `The dataset group ${group.arn} is ${group.fields.domain ? `a ${group.fields.domain as string}` : 'not a Domain'} dataset group; the use case ${recipe.name} needs a ${recipe.domain} one.`
        )
      const all = trainingData(store, group.arn)
      const required = recipe.requiredEventType
      const ofType = all.filter((interaction) => interaction.eventType === required).length
      const data = recipe.trainsOn ? all.filter((i) => recipe.trainsOn!.includes(i.eventType ?? '')) : all
      const failureReason =
        minimumsProblem(all) ??
        (required && ofType < MIN_EVENTS_OF_TYPE
          ? `Insufficient data for ${recipe.name}: there are ${ofType} ${required} events; at least ${MIN_EVENTS_OF_TYPE} are required.`
          : undefined)
      const created = create(
        store,
        'recommender',
        input.name as string,
        input.name as string,
        {
          datasetGroupArn: group.arn,
          recipeArn: input.recipeArn,
          recommenderConfig: { ...DEFAULT_CONFIG, ...(input.recommenderConfig as object | undefined) },
          ...(failureReason ? { failureReason } : {})
        },
        input.tags
      )
      if (created instanceof AwsError) return created
      if (!failureReason)
        store.setModel(created.arn, {
          model: train(data),
          eventsSeen: store.events.get(group.arn)?.length ?? 0,
          metrics: metricsWhenAsked(data, recipe.serving)
        })
      return { recommenderArn: created.arn }
    },
    DeleteRecommender: (store, input) => remove(store, 'recommender', input.recommenderArn, () => false),
    StopRecommender: transition('ACTIVE', 'stopped', 'STOP', 'INACTIVE'),
    StartRecommender: transition('INACTIVE', 'started', 'START', 'ACTIVE'),
    UpdateRecommender: (store, input) => {
      const recommender = store.get('recommender', input.recommenderArn)
      if (!recommender) return notFound(input.recommenderArn)
      const problem = inState(store, recommender, 'ACTIVE', 'updated')
      if (problem) return problem
      const recommenderConfig = {
        ...(recommender.fields.recommenderConfig as object),
        ...(input.recommenderConfig as object)
      }
      store.setFields(recommender, {
        recommenderConfig,
        _update: { recommenderConfig, creationDateTime: store.now() / 1000 }
      })
      store.change(recommender, 'UPDATE', 'ACTIVE')
      return { recommenderArn: recommender.arn }
    }
  }
}
