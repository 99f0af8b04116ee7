// The explorer's index: people from userIds and linked anonymousIds, search, the catalogue, the recent-events cap.
import type { StoredMessage } from '../../segment/logStore'
import { Profiles } from '../../segment/profiles'
import { Activity, recommendedIds } from '../activity'

let n = 0
function message(fields: Record<string, unknown>): StoredMessage {
  n++
  return {
    projectId: 'WEBSOURCE1',
    messageId: `m-${n}`,
    receivedAt: new Date(Date.UTC(2026, 9, 1, 12, 0, n)).toISOString(),
    timestamp: new Date(Date.UTC(2026, 9, 1, 12, 0, n)).toISOString(),
    ...fields
  }
}

function index(options: { maxEvents?: number; catalogue?: Map<string, Record<string, string | number>> } = {}) {
  const profiles = new Profiles()
  const activity = new Activity({ traitsOf: (userId) => profiles.traits(userId), ...options })
  const add = (fields: Record<string, unknown>) => {
    const stored = message(fields)
    profiles.apply(stored)
    activity.add(stored)
    return stored
  }
  return { activity, add }
}

const viewed = (who: Record<string, string>, product: Record<string, unknown>) => ({
  type: 'track',
  event: 'Product Viewed',
  ...who,
  properties: product
})

test('an anonymous visitor’s events move to the user once an identify links the anonymousId', () => {
  const { activity, add } = index()
  add(viewed({ anonymousId: 'anon-1' }, { product_id: 'p-1' }))
  add(viewed({ anonymousId: 'anon-1' }, { product_id: 'p-2' }))
  expect(activity.search().map((user) => user.id)).toEqual(['anon-1'])

  add({ type: 'identify', anonymousId: 'anon-1', userId: 'user-1', traits: { email: 'ada@example.com' } })
  add(viewed({ anonymousId: 'anon-1' }, { product_id: 'p-3' }))

  expect(activity.search().map((user) => user.id)).toEqual(['user-1'])
  const user = activity.user('anon-1')!
  expect(user).toMatchObject({ id: 'user-1', userId: 'user-1', anonymousIds: ['anon-1'], eventCount: 4 })
  expect(user.events.map((event) => event.items[0] ?? event.type)).toEqual(['p-3', 'identify', 'p-2', 'p-1'])
  expect(user.firstSeen < user.lastSeen).toBe(true)
})

test('alias links its previousId, and a track carrying both ids links too', () => {
  const { activity, add } = index()
  add(viewed({ anonymousId: 'old-device' }, { product_id: 'p-1' }))
  add(viewed({ anonymousId: 'new-device' }, { product_id: 'p-2' }))
  add({ type: 'alias', previousId: 'old-device', userId: 'user-2' })
  add(viewed({ anonymousId: 'new-device', userId: 'user-2' }, { product_id: 'p-3' }))
  expect(activity.search().map((user) => user.id)).toEqual(['user-2'])
  expect(activity.user('old-device')?.anonymousIds.sort()).toEqual(['new-device', 'old-device'])
  expect(activity.user('new-device')?.eventCount).toBe(4)
})

test('search finds users by id, anonymousId, trait value and recommended item id or name, most recent first', () => {
  const { activity, add } = index()
  add(viewed({ userId: 'user-a' }, { product_id: 'boot-7', name: 'Winter Boot', category: 'Shoes' }))
  add({ type: 'identify', userId: 'user-a', anonymousId: 'device-a', traits: { plan: 'Gold', tags: ['vip'] } })
  add({ type: 'identify', userId: 'user-b', traits: { plan: 'free', recommended_products: ['boot-7', 'x-1'] } })
  add({ type: 'identify', userId: 'user-c', traits: { plan: 'free' } })

  const ids = (query: string) => activity.search(query).map((user) => user.id)
  expect(ids('')).toEqual(['user-c', 'user-b', 'user-a'])
  expect(ids('gold')).toEqual(['user-a'])
  expect(ids('VIP')).toEqual(['user-a'])
  expect(ids('device-a')).toEqual(['user-a'])
  expect(ids('free')).toEqual(['user-c', 'user-b'])
  expect(ids('x-1')).toEqual(['user-b'])
  expect(ids('winter boot')).toEqual(['user-b'])
  expect(ids('nobody')).toEqual([])
  expect(activity.search('', 2)).toHaveLength(2)
})

test('recommended_products resolve to catalogue entries; an unknown id stays an id', () => {
  const { activity, add } = index()
  add(viewed({ userId: 'u' }, { product_id: 'p-1', name: 'Red Tee', category: 'Tops', price: '25' }))
  add({ type: 'identify', userId: 'u', traits: { recommended_products: ['p-1', 'gone'] } })
  expect(activity.user('u')?.recommended).toEqual([
    { itemId: 'p-1', name: 'Red Tee', category: 'Tops', price: 25 },
    { itemId: 'gone' }
  ])
  expect(recommendedIds({ recommended_products: 'a, b' })).toEqual(['a', 'b'])
  expect(recommendedIds({})).toEqual([])
})

test('the catalogue comes from product properties, sku and products[], merged over items.csv', () => {
  const csv = new Map<string, Record<string, string | number>>([
    ['p-1', { name: 'Old name', category: 'Tops', brand: 'Acme', price: 10 }],
    ['p-9', { name: 'Only in the file', category: 'Bags' }]
  ])
  const { activity, add } = index({ catalogue: csv })
  add(viewed({ userId: 'u' }, { product_id: 'p-1', name: 'New name', price: 12 }))
  add(viewed({ userId: 'u' }, { sku: 'sku-2', name: 'By sku' }))
  add({
    type: 'track',
    event: 'Order Completed',
    userId: 'u',
    properties: {
      order_id: 'o-1',
      products: [{ product_id: 'p-3', name: 'In an order', category: 'Shoes', price: 80 }, { sku: 'p-1' }, 'junk']
    }
  })
  // Not a track: its properties name no product.
  add({ type: 'page', userId: 'u', properties: { product_id: 'page-1' } })

  const byId = Object.fromEntries(activity.catalogue().map((item) => [item.itemId, item]))
  expect(Object.keys(byId).sort()).toEqual(['p-1', 'p-3', 'p-9', 'sku-2'])
  expect(byId['p-1']).toEqual({
    itemId: 'p-1',
    name: 'New name',
    category: 'Tops',
    brand: 'Acme',
    price: 12,
    events: 2
  })
  expect(byId['p-3']).toMatchObject({ name: 'In an order', category: 'Shoes', price: 80, events: 1 })
  expect(byId['p-9']).toMatchObject({ name: 'Only in the file', events: 0 })
  expect(activity.user('u')?.events[1]?.items).toEqual(['p-3', 'p-1'])
})

test('each person keeps only the latest events, in time order, while counting all of them', () => {
  const { activity, add } = index({ maxEvents: 5 })
  for (let k = 0; k < 12; k++) add(viewed({ userId: 'busy' }, { product_id: `p-${k}` }))
  // One that happened earlier but arrives last (a replay of an older day) is not among the latest.
  add({ ...viewed({ userId: 'busy' }, { product_id: 'early' }), timestamp: '2020-01-01T00:00:00.000Z' })
  const user = activity.user('busy')!
  expect(user.eventCount).toBe(13)
  expect(user.events.map((event) => event.items[0])).toEqual(['p-11', 'p-10', 'p-9', 'p-8', 'p-7'])
  expect(user.firstSeen).toBe('2020-01-01T00:00:00.000Z')
})

test('messages without any id and unknown users are ignored; the live listener hears filed messages', () => {
  const { activity, add } = index()
  const heard: string[] = []
  const stop = activity.subscribe((summary) => heard.push(`${summary.id} ${summary.event ?? summary.type}`))
  add({ type: 'track', event: 'Nobody' })
  add(viewed({ anonymousId: 'a' }, { product_id: 'p' }))
  stop()
  add(viewed({ anonymousId: 'a' }, { product_id: 'p' }))
  expect(heard).toEqual(['a Product Viewed'])
  expect(activity.user('someone')).toBeUndefined()
  expect(activity.size).toBe(1)
})

test('each list of recommendations written is shown after the event that asked for it, with what entered and left', () => {
  const { activity, add } = index()
  const roundTrip = (trigger: string, items: string[]) =>
    add({
      type: 'identify',
      userId: 'user-1',
      anonymousId: 'anon-1',
      messageId: `personalize-syncRecommendations-${trigger}`,
      context: { personalize: { roundTrip: true, userId: 'user-1' } },
      traits: { recommended_products: items }
    })
  const identify = add({ type: 'identify', userId: 'user-1', anonymousId: 'anon-1', traits: { plan: 'gold' } })
  roundTrip(identify.messageId, ['a', 'b', 'c'])
  const added = add(viewed({ userId: 'user-1' }, { product_id: 'p-1' }))
  roundTrip(added.messageId, ['a', 'c', 'd'])
  const again = add(viewed({ userId: 'user-1' }, { product_id: 'p-2' }))
  roundTrip(again.messageId, ['a', 'c', 'd'])
  // A list whose triggering event is not kept is shown with the identify that wrote it.
  roundTrip('gone', ['d'])

  const events = activity.user('user-1')!.events
  const change = (messageId: string) => {
    const found = events.find((event) => event.messageId === messageId)?.recommendations
    return (
      found && {
        ...found,
        items: found.items.map((i) => i.itemId),
        entered: found.entered.map((i) => i.itemId),
        left: found.left.map((i) => i.itemId)
      }
    )
  }
  expect(change(identify.messageId)).toMatchObject({
    first: true,
    items: ['a', 'b', 'c'],
    entered: ['a', 'b', 'c'],
    left: []
  })
  expect(change(added.messageId)).toMatchObject({ first: false, entered: ['d'], left: ['b'] })
  expect(change(again.messageId)).toMatchObject({ entered: [], left: [] })
  expect(change('personalize-syncRecommendations-gone')).toMatchObject({ entered: [], left: ['a', 'c'] })
  // The round-trip's identifies say which event they answer.
  expect(events.filter((event) => event.roundTripOf).map((event) => event.roundTripOf)).toEqual([
    'gone',
    again.messageId,
    added.messageId,
    identify.messageId
  ])
})
