// The recipes the emulator serves, with how each one recommends: the custom recipes the workshop and the docs use,
// and the ECOMMERCE domain's use cases for recommenders
// (https://docs.aws.amazon.com/personalize/latest/dg/ECOMMERCE-use-cases.html). ListRecipes and DescribeRecipe
// answer from this table. HRNN recipes are retired (personalize-api.md §8) and are not served.
import { ERRORS } from './protocol'
import { notFound, paginate, type Operation } from './resources'

/** How a recipe answers GetRecommendations: from the user's history, the item's neighbours, or popularity. */
export type Serving = 'user' | 'related' | 'popular' | 'ranking'

export interface Recipe {
  name: string
  recipeType: 'USER_PERSONALIZATION' | 'RELATED_ITEMS' | 'PERSONALIZED_RANKING'
  serving: Serving
  algorithm: string
  featureTransformation: string
  description: string
  domain?: 'ECOMMERCE'
  /** A use case's required event type, of which it needs at least MIN_EVENTS_OF_TYPE to train. */
  requiredEventType?: string
  /** The event types a use case learns from (all when absent): popularity by views counts views only. */
  trainsOn?: string[]
}

// "At minimum 1000 View events" and the like, for each ECOMMERCE use case (ECOMMERCE-use-cases.html).
export const MIN_EVENTS_OF_TYPE = 1000

const custom = (
  name: string,
  recipeType: Recipe['recipeType'],
  serving: Serving,
  featureTransformation: string,
  description: string
): Recipe => ({ name, recipeType, serving, algorithm: name, featureTransformation, description })

const ecommerce = (
  name: string,
  recipeType: Recipe['recipeType'],
  serving: Serving,
  requiredEventType: string,
  description: string,
  trainsOn?: string[]
): Recipe => ({
  name,
  recipeType,
  serving,
  algorithm: name,
  featureTransformation: 'JSON-percentile-filtering',
  description,
  domain: 'ECOMMERCE',
  requiredEventType,
  ...(trainsOn ? { trainsOn } : {})
})

export const RECIPES: Recipe[] = [
  custom(
    'aws-user-personalization',
    'USER_PERSONALIZATION',
    'user',
    'JSON-percentile-filtering',
    'Recommends items for a user from their interactions, updated in real time as events arrive.'
  ),
  custom(
    'aws-user-personalization-v2',
    'USER_PERSONALIZATION',
    'user',
    'JSON-percentile-filtering',
    'Recommends items for a user from their interactions, for catalogues of up to 5 million items.'
  ),
  custom(
    'aws-sims',
    'RELATED_ITEMS',
    'related',
    'sims',
    'Recommends items that users interacted with together with a given item.'
  ),
  custom(
    'aws-popularity-count',
    'USER_PERSONALIZATION',
    'popular',
    'JSON-percentile-filtering',
    'Recommends the items with the most interactions, the same for every user.'
  ),
  custom(
    'aws-personalized-ranking',
    'PERSONALIZED_RANKING',
    'ranking',
    'JSON-percentile-filtering',
    "Ranks a given list of items by a user's predicted interest."
  ),
  custom(
    'aws-personalized-ranking-v2',
    'PERSONALIZED_RANKING',
    'ranking',
    'JSON-percentile-filtering',
    "Ranks a given list of items by a user's predicted interest, for catalogues of up to 5 million items."
  ),
  ecommerce(
    'aws-ecomm-recommended-for-you',
    'USER_PERSONALIZATION',
    'user',
    'View',
    'Recommended for you: items for a user from what they viewed and bought.'
  ),
  ecommerce(
    'aws-ecomm-customers-who-viewed-x-also-viewed',
    'RELATED_ITEMS',
    'related',
    'View',
    'Customers who viewed X also viewed: items viewed together with a given item.',
    ['View']
  ),
  ecommerce(
    'aws-ecomm-frequently-bought-together',
    'RELATED_ITEMS',
    'related',
    'Purchase',
    'Frequently bought together: items bought together with a given item.',
    ['Purchase']
  ),
  ecommerce(
    'aws-ecomm-popular-items-by-purchases',
    'USER_PERSONALIZATION',
    'popular',
    'Purchase',
    'Best sellers: the items bought most.',
    ['Purchase']
  ),
  ecommerce(
    'aws-ecomm-popular-items-by-views',
    'USER_PERSONALIZATION',
    'popular',
    'View',
    'Most viewed: the items viewed most.',
    ['View']
  )
]

export const recipeArn = (name: string) => `arn:aws:personalize:::recipe/${name}`

/** The recipe an ARN names, if the emulator serves it. */
export function recipeOf(arn: unknown): Recipe | undefined {
  const name = /^arn:aws:personalize:::recipe\/(.+)$/.exec(String(arn))?.[1]
  return RECIPES.find((recipe) => recipe.name === name)
}

// Recipes are AWS's, not the account's: they have no region, and their times are fixed (the emulator's choice: the
// day Personalize became generally available, https://aws.amazon.com/about-aws/whats-new/2019/06/amazon-personalize-now-generally-available/).
const RECIPES_SINCE = Date.UTC(2019, 5, 10) / 1000

export function recipeOperations(): Record<string, Operation> {
  return {
    ListRecipes: (_store, input) => {
      const recipes = RECIPES.filter((recipe) => input.domain === undefined || recipe.domain === input.domain)
      return paginate(
        'ListRecipes',
        'recipes',
        recipes.map((recipe) => ({
          name: recipe.name,
          recipeArn: recipeArn(recipe.name),
          status: 'ACTIVE',
          creationDateTime: RECIPES_SINCE,
          lastUpdatedDateTime: RECIPES_SINCE,
          ...(recipe.domain ? { domain: recipe.domain } : {})
        })),
        input
      )
    },
    DescribeRecipe: (_store, input) => {
      if (!/^arn:aws:personalize:::recipe\//.test(String(input.recipeArn)))
        return ERRORS.invalidInput(
          `${String(input.recipeArn)} is not a recipe ARN (arn:aws:personalize:::recipe/<name>).`
        )
      const recipe = recipeOf(input.recipeArn)
      if (!recipe) return notFound(input.recipeArn)
      return {
        recipe: {
          name: recipe.name,
          recipeArn: recipeArn(recipe.name),
          algorithmArn: `arn:aws:personalize:::algorithm/${recipe.algorithm}`,
          featureTransformationArn: `arn:aws:personalize:::feature-transformation/${recipe.featureTransformation}`,
          status: 'ACTIVE',
          description: recipe.description,
          creationDateTime: RECIPES_SINCE,
          recipeType: recipe.recipeType,
          lastUpdatedDateTime: RECIPES_SINCE
        }
      }
    }
  }
}
