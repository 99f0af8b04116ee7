// The recommendations API (the workshop's exercise 3): GET /recommendations?userId=…|itemId=…&numResults=…
// [&filterArn=…&filterValues={…}], answering the recommended items with their catalogue metadata (name, category,
// price, …) rather than bare ids. One handler for AWS Lambda behind API Gateway (proxy integration, REST or HTTP API)
// and for the local stack (server.ts adapts HTTP requests to the same events).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
import {
  GetRecommendationsCommand,
  PersonalizeRuntimeClient,
  type GetRecommendationsCommandInput
} from '@aws-sdk/client-personalize-runtime'
import { loadCatalogue, type Item } from './catalogue'

/** What the handler reads: API Gateway's REST (v1) and HTTP (v2) proxy events both carry these. */
export interface ApiEvent {
  httpMethod?: string
  path?: string
  rawPath?: string
  requestContext?: { http?: { method?: string; path?: string } }
  queryStringParameters?: Record<string, string | undefined> | null
  headers?: Record<string, string | undefined> | null
}

export interface ApiResult {
  statusCode: number
  headers: Record<string, string>
  body: string
}

export interface ApiConfig {
  /** The campaign (or recommender) for userId queries: a user-personalization one. */
  campaignArn?: string
  /** The campaign for itemId queries: a related-items (aws-similar-items, aws-sims) one. */
  relatedCampaignArn?: string
  /** The items CSV (the backfill's items.csv) or JSON the metadata comes from. */
  catalogue?: string
  /** Browsers' allowed origin (default *). */
  corsOrigin?: string
  runtime: PersonalizeRuntimeClient
}

/** The configuration from the environment, as the Lambda function has it. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return {
    campaignArn: env.CAMPAIGN_ARN,
    relatedCampaignArn: env.RELATED_CAMPAIGN_ARN,
    catalogue: env.CATALOGUE_FILE,
    corsOrigin: env.CORS_ORIGIN,
    runtime: new PersonalizeRuntimeClient({ endpoint: env.PERSONALIZE_RUNTIME_ENDPOINT || undefined })
  }
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }
}

// Personalize's error types → the API's answer (https://docs.aws.amazon.com/personalize/latest/dg/API_RS_GetRecommendations.html#API_RS_GetRecommendations_Errors).
const PERSONALIZE_ERRORS: Record<string, { status: number; message: string; headers?: Record<string, string> }> = {
  ResourceNotFoundException: { status: 404, message: 'The campaign does not exist (or is not ACTIVE)' },
  InvalidInputException: { status: 400, message: 'Personalize refused the request' },
  ThrottlingException: {
    status: 503,
    message: 'Personalize is throttling requests: try again shortly',
    headers: { 'Retry-After': '1' }
  },
  TooManyRequestsException: {
    status: 503,
    message: 'Personalize is throttling requests: try again shortly',
    headers: { 'Retry-After': '1' }
  }
}

const NUM_RESULTS = { min: 1, max: 500, default: 25 }
const ID = /^.{1,256}$/s

function parse(query: Record<string, string | undefined>, config: ApiConfig): GetRecommendationsCommandInput {
  const { userId, itemId, numResults, filterArn, filterValues } = query
  if (!userId === !itemId) throw new HttpProblem(400, 'Give exactly one of userId and itemId')
  const id = (userId ?? itemId)!
  if (!ID.test(id)) throw new HttpProblem(400, `${userId ? 'userId' : 'itemId'} must be 1 to 256 characters`)
  const count = numResults === undefined ? NUM_RESULTS.default : Number(numResults)
  if (!Number.isInteger(count) || count < NUM_RESULTS.min || count > NUM_RESULTS.max)
    throw new HttpProblem(400, `numResults must be a whole number from ${NUM_RESULTS.min} to ${NUM_RESULTS.max}`)
  const campaignArn = userId ? config.campaignArn : config.relatedCampaignArn
  if (!campaignArn)
    throw new HttpProblem(
      400,
      userId
        ? 'userId queries are not configured (CAMPAIGN_ARN)'
        : 'itemId queries need a related-items campaign (RELATED_CAMPAIGN_ARN)'
    )
  let values: Record<string, string> | undefined
  if (filterValues !== undefined) {
    try {
      values = JSON.parse(filterValues) as Record<string, string>
    } catch {
      throw new HttpProblem(400, 'filterValues must be a JSON object, e.g. {"CATEGORY":"\\"Shoes\\""}')
    }
    if (!filterArn) throw new HttpProblem(400, 'filterValues needs a filterArn')
  }
  const target = campaignArn.includes(':recommender/') ? { recommenderArn: campaignArn } : { campaignArn }
  return { ...target, ...(userId ? { userId } : { itemId }), numResults: count, filterArn, filterValues: values }
}

let catalogue: { file: string; items: Promise<Map<string, Item>> } | undefined

function itemsOf(file: string | undefined): Promise<Map<string, Item>> {
  if (!file) return Promise.resolve(new Map<string, Item>())
  // Loaded once per container (Lambda keeps the module between invocations).
  if (catalogue?.file !== file) catalogue = { file, items: loadCatalogue(file) }
  return catalogue.items
}

function answer(config: ApiConfig, statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return {
    statusCode,
    headers: {
      'Content-Type': 'application/json',
      'Access-Control-Allow-Origin': config.corsOrigin ?? '*',
      'Access-Control-Allow-Methods': 'GET, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type, Authorization',
      ...headers
    },
    body: statusCode === 204 ? '' : JSON.stringify(body)
  }
}

export async function handle(event: ApiEvent, config: ApiConfig): Promise<ApiResult> {
  const method = (event.httpMethod ?? event.requestContext?.http?.method ?? 'GET').toUpperCase()
  const path = event.path ?? event.rawPath ?? event.requestContext?.http?.path ?? '/recommendations'
  if (method === 'OPTIONS') return answer(config, 204, null)
  if (!/\/recommendations\/?$/.test(path))
    return answer(config, 404, { message: `No route ${path}: GET /recommendations` })
  if (method !== 'GET') return answer(config, 405, { message: 'Use GET' }, { Allow: 'GET, OPTIONS' })
  try {
    const input = parse(event.queryStringParameters ?? {}, config)
    const [result, items] = await Promise.all([
      config.runtime.send(new GetRecommendationsCommand(input)),
      itemsOf(config.catalogue)
    ])
    return answer(config, 200, {
      recommendationId: result.recommendationId,
      items: (result.itemList ?? []).map(({ itemId, score }) => ({ itemId, score, ...items.get(itemId ?? '') }))
    })
  } catch (error) {
    if (error instanceof HttpProblem) return answer(config, error.status, { message: error.message }, error.headers)
    const { name, message } = error as Error
    const known = PERSONALIZE_ERRORS[name]
    if (known) return answer(config, known.status, { message: `${known.message}: ${message}` }, known.headers)
    return answer(config, 502, { message: `Personalize failed: ${name}: ${message}` })
  }
}

/** The Lambda entry point (handler name `api/handler.handler`), configured from the environment. */
let fromEnv: ApiConfig | undefined
export function handler(event: ApiEvent): Promise<ApiResult> {
  fromEnv ??= configFromEnv()
  return handle(event, fromEnv)
}
