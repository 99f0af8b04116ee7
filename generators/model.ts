// The knobs of the replay, their defaults, and what is fixed for a whole run once they are known.
import { makeCatalogue, type Catalogue, type Product } from './catalogue'
import { flat, makeSender, type Sender } from './messages'
import { platformShares, type Cohort, type World } from './people'
import { PLATFORMS, type Source, type SourceName } from './sources'

/** The shopping funnel: how a session unfolds. */
export interface Mix {
  /** Mean product views per session (at least 1). */
  views: number
  /** Chance a view comes from a click in a product list (Product Clicked first). */
  click: number
  /** Chance a viewed product is added to the cart. */
  add: number
  /** Chance a session with a cart ends in Order Completed. */
  order: number
}

export interface ModelOptions {
  seed: number
  /** The first day (days since 1970-01-01, UTC): no one has visited before it. */
  from: number
  /** New visitors per day, over all platforms. */
  usersPerDay: number
  /** Mean sessions on a day a registered user shops (at least 1). */
  sessionsPerUser: number
  catalogueSize: number
  mix: Mix
  /** Sources that send: platforms get visitors, email sends the welcome series. */
  sources: Source[]
  /** `workshop`: the workshop's legacy shapes (sku only; Order Completed without products[]). */
  compat?: 'workshop'
}

export const DEFAULT_MIX: Mix = { views: 4, click: 0.5, add: 0.25, order: 0.5 }

export const DEFAULTS = { seed: 1, usersPerDay: 1000, sessionsPerUser: 1.3, catalogueSize: 50, mix: DEFAULT_MIX }

export interface Model extends ModelOptions {
  world: World
  /** Each product's e-commerce spec properties as JSON without braces, by catalogue index. */
  productFields: string[]
  /** `"properties":{` and the product's fields (spec, or in workshop compat its sku), for single-product events. */
  productOpening: string[]
  email?: Sender
  /** Cache of who signed up on each day (see cohortOf). */
  cohorts: Map<number, Cohort>
}

function productFields(product: Product): string {
  return flat(JSON.stringify({ ...product, currency: 'USD' }).slice(1, -1))
}

function sourceFor(sources: Source[], name: SourceName): Source | undefined {
  return sources.find((source) => source.name === name)
}

export function makeModel(options: ModelOptions): Model {
  const catalogue: Catalogue = makeCatalogue(options.catalogueSize, options.seed)
  const email = sourceFor(options.sources, 'email')
  const platforms = PLATFORMS.filter((platform) => sourceFor(options.sources, platform))
  return {
    ...options,
    world: {
      seed: options.seed,
      catalogue,
      sources: {
        web: sourceFor(options.sources, 'web'),
        ios: sourceFor(options.sources, 'ios'),
        android: sourceFor(options.sources, 'android')
      },
      platforms: platformShares(platforms)
    },
    productFields: catalogue.products.map(productFields),
    productOpening: catalogue.products.map((product) =>
      flat(`"properties":{${options.compat ? `"sku":${JSON.stringify(product.sku)}` : productFields(product)}`)
    ),
    cohorts: new Map(),
    email: email && makeSender(email, JSON.stringify({ library: email.library }))
  }
}
