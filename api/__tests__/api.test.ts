// The recommendations API against the local Personalize with the real AWS SDK: as a Lambda handler given API Gateway
// events (REST and HTTP APIs), and over HTTP.
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  CreateCampaignCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  PersonalizeClient
} from '@aws-sdk/client-personalize'
import { PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime'
import { credentials, provisionWorkshop, workshopCsv } from '../../emulators/personalize/__tests__/fixtures'
import { createPersonalizeEmulator } from '../../emulators/personalize/server'
import { handle, type ApiConfig } from '../handler'
import { serveApi } from '../server'

let emulator: ReturnType<typeof createPersonalizeEmulator>
let config: ApiConfig
let endpoint: string

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'api-'))
  emulator = createPersonalizeEmulator({ delayMs: 0 })
  endpoint = await emulator.listen()
  const client = { region: 'us-west-2', endpoint, credentials, maxAttempts: 1 }
  const control = new PersonalizeClient(client)
  const { solutionVersionArn, datasetGroupArn } = await provisionWorkshop(control, dir, workshopCsv())
  const { campaignArn } = await control.send(new CreateCampaignCommand({ name: 'personal', solutionVersionArn }))
  const { solutionArn } = await control.send(
    new CreateSolutionCommand({ name: 'sims', datasetGroupArn, recipeArn: 'arn:aws:personalize:::recipe/aws-sims' })
  )
  const sims = await control.send(new CreateSolutionVersionCommand({ solutionArn }))
  const related = await control.send(
    new CreateCampaignCommand({ name: 'related', solutionVersionArn: sims.solutionVersionArn })
  )
  const catalogue = path.join(dir, 'items.csv')
  const rows = Array.from({ length: 10 }, (_, n) => [
    `shoe-${n},"Shoe ${n}, ""classic""",Shoes,Vans,${50 + n}.0`,
    `book-${n},Book ${n},Books,Penguin,${10 + n}.0`
  ]).flat()
  writeFileSync(catalogue, ['ITEM_ID,NAME,CATEGORY,BRAND,PRICE', ...rows].join('\n'))
  config = {
    campaignArn,
    relatedCampaignArn: related.campaignArn,
    catalogue,
    runtime: new PersonalizeRuntimeClient(client)
  }
})
afterAll(() => emulator.close())

const restEvent = (query: Record<string, string>, method = 'GET') => ({
  httpMethod: method,
  path: '/recommendations',
  queryStringParameters: query
})

describe('as a Lambda handler', () => {
  test('userId: the recommended items with their catalogue metadata, CORS headers', async () => {
    const result = await handle(restEvent({ userId: 'user-1', numResults: '3' }), config)
    expect(result.statusCode).toBe(200)
    expect(result.headers).toMatchObject({ 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' })
    const body = JSON.parse(result.body) as { recommendationId: string; items: Array<Record<string, unknown>> }
    expect(body.items).toHaveLength(3)
    expect(body.recommendationId).toEqual(expect.any(String))
    for (const item of body.items) {
      // user-1 likes shoes (the fixture's first taste): metadata comes from the catalogue, quoting and all.
      expect(item).toMatchObject({
        itemId: expect.stringMatching(/^shoe-/),
        score: expect.any(Number),
        category: 'Shoes',
        brand: 'Vans'
      })
      expect(item.name).toBe(`Shoe ${String(item.itemId).slice(5)}, "classic"`)
      expect(item.price).toBe(50 + Number(String(item.itemId).slice(5)))
    }
  })

  test('itemId: related items from the related-items campaign', async () => {
    const result = await handle(restEvent({ itemId: 'book-1', numResults: '4' }), config)
    expect(result.statusCode).toBe(200)
    const { items } = JSON.parse(result.body) as { items: Array<{ itemId: string }> }
    expect(items).toHaveLength(4)
    expect(items.map((item) => item.itemId)).not.toContain('book-1')
  })

  test('an HTTP API (v2) event works the same', async () => {
    const result = await handle(
      {
        rawPath: '/recommendations',
        requestContext: { http: { method: 'GET' } },
        queryStringParameters: { userId: 'user-70' }
      },
      config
    )
    expect(result.statusCode).toBe(200)
    // The default numResults (25) is more than the 20 items there are: all of them.
    expect((JSON.parse(result.body) as { items: unknown[] }).items).toHaveLength(20)
  })

  test('CORS preflight: 204 with the allowed methods', async () => {
    const result = await handle(restEvent({}, 'OPTIONS'), config)
    expect(result).toMatchObject({ statusCode: 204, body: '' })
    expect(result.headers['Access-Control-Allow-Methods']).toBe('GET, OPTIONS')
  })

  test.each<[string, Record<string, string>, string]>([
    ['neither id', {}, 'Give exactly one of userId and itemId'],
    ['both ids', { userId: 'u', itemId: 'i' }, 'Give exactly one of userId and itemId'],
    ['numResults 0', { userId: 'u', numResults: '0' }, 'numResults must be a whole number from 1 to 500'],
    ['numResults a word', { userId: 'u', numResults: 'ten' }, 'numResults must be a whole number from 1 to 500'],
    ['an id too long', { userId: 'u'.repeat(257) }, 'userId must be 1 to 256 characters'],
    [
      'filterValues not JSON',
      { userId: 'u', filterArn: 'arn:x', filterValues: '{' },
      'filterValues must be a JSON object'
    ],
    ['filterValues without a filter', { userId: 'u', filterValues: '{}' }, 'filterValues needs a filterArn']
  ])('%s → 400 with a message', async (_, query, message) => {
    const result = await handle(restEvent(query), config)
    expect(result.statusCode).toBe(400)
    expect((JSON.parse(result.body) as { message: string }).message).toContain(message)
  })

  test('an unknown campaign → 404', async () => {
    const result = await handle(restEvent({ userId: 'u' }), { ...config, campaignArn: `${config.campaignArn!}-gone` })
    expect(result.statusCode).toBe(404)
    expect(result.body).toContain('The campaign does not exist')
  })

  test('Personalize throttling → 503 with Retry-After', async () => {
    const throttled = createPersonalizeEmulator({
      delayMs: 0,
      faults: { throttle: 1, error: 0, delay: 0, delayMs: 0, seed: 1 }
    })
    const url = await throttled.listen()
    try {
      const runtime = new PersonalizeRuntimeClient({ region: 'us-west-2', endpoint: url, credentials, maxAttempts: 1 })
      const result = await handle(restEvent({ userId: 'u' }), { ...config, runtime })
      expect(result.statusCode).toBe(503)
      expect(result.headers['Retry-After']).toBe('1')
    } finally {
      await throttled.close()
    }
  })

  test('another path → 404; another method → 405', async () => {
    expect((await handle({ httpMethod: 'GET', path: '/users' }, config)).statusCode).toBe(404)
    expect((await handle(restEvent({ userId: 'u' }, 'POST'), config)).statusCode).toBe(405)
  })
})

test('over HTTP: the same handler behind a local server, called with fetch', async () => {
  const api = await serveApi(config)
  try {
    const response = await fetch(`${api.url}/recommendations?userId=user-80&numResults=2`, {
      headers: { Origin: 'http://localhost:3000' }
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    const { items } = (await response.json()) as { items: Array<{ itemId: string; category: string }> }
    expect(items.map((item) => item.category)).toEqual(['Books', 'Books'])
    const bad = await fetch(`${api.url}/recommendations?numResults=2`)
    expect(bad.status).toBe(400)
  } finally {
    await api.close()
  }
})
