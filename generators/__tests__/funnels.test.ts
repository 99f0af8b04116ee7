import { DAY_MS } from '../calendar'
import { FROM, messagesOf, testOptions, type Line } from './fixtures'

const DAYS = 4
const messages = messagesOf(testOptions(), DAYS)
const byAnonymousId = new Map<string, Line[]>()
for (const message of messages)
  if (message.anonymousId)
    byAnonymousId.set(message.anonymousId, [...(byAnonymousId.get(message.anonymousId) ?? []), message])
const time = (message: Line) => Date.parse(message.originalTimestamp)

test('every message falls on a day of the range (UTC), and the days fill up', () => {
  const times = messages.map(time)
  expect(Math.min(...times)).toBeGreaterThanOrEqual(FROM * DAY_MS)
  expect(Math.max(...times)).toBeLessThan((FROM + DAYS) * DAY_MS)
  const perDay = new Array<number>(DAYS).fill(0)
  for (const t of times) perDay[Math.floor(t / DAY_MS) - FROM]!++
  // Returning users add to each day's new visitors.
  expect(perDay[0]).toBeGreaterThan(500)
  expect(perDay[DAYS - 1]!).toBeGreaterThan(perDay[0]!)
})

test('traffic spreads over the day, not one hour (the workshop’s all fell in 09:00-10:02 UTC)', () => {
  const hours = new Set(messages.map((message) => new Date(time(message)).getUTCHours()))
  expect(hours.size).toBe(24)
})

test('messages are in time order', () => {
  const times = messages.map(time)
  expect(times.every((t, n) => n === 0 || t >= times[n - 1]!)).toBe(true)
})

test('registration: Page Viewed → Signup Clicked → Signup Success → identify, anonymous until the identify', () => {
  const identifies = messages.filter((message) => message.type === 'identify')
  expect(identifies.length).toBeGreaterThan(50)
  for (const identify of identifies) {
    expect(identify.userId).toEqual(expect.any(String))
    expect(identify.anonymousId).toEqual(expect.any(String))
    const device = byAnonymousId.get(identify.anonymousId!)!
    const at = device.indexOf(identify)
    const before = device.slice(0, at)
    const names = before.map((message) => message.event)
    expect(names[0]).toBe('Page Viewed')
    expect(names.slice(-2)).toEqual(['Signup Clicked', 'Signup Success'])
    // Before signing up the visitor is only an anonymousId; from the identify on, the device carries the userId.
    expect(before.filter((message) => message.userId !== undefined)).toEqual([])
    expect(device.slice(at).every((message) => message.userId === identify.userId)).toBe(true)
  }
})

test('visitors who do not sign up stay anonymous', () => {
  const anonymous = [...byAnonymousId.values()].filter((device) => device.every((message) => !message.userId))
  expect(anonymous.length).toBeGreaterThan(100)
  for (const device of anonymous) expect(device.some((message) => message.event === 'Signup Success')).toBe(false)
})

test('ids are strings: userIds, anonymousIds and messageIds unique uuids', () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  expect(new Set(messages.map((message) => message.messageId)).size).toBe(messages.length)
  expect(messages.filter((message) => !uuid.test(message.messageId))).toEqual([])
  const userIds = messages.filter((message) => message.type === 'identify').map((message) => message.userId!)
  expect(new Set(userIds).size).toBe(userIds.length)
  expect(userIds.filter((id) => !uuid.test(id))).toEqual([])
})

test('email: Sent → Delivered → Opened → Link Clicked → Unsubscribe, from the email source, for new users', () => {
  const funnel = ['Email Sent', 'Email Delivered', 'Email Opened', 'Email Link Clicked', 'Unsubscribe']
  const emails = messages.filter((message) => message.event && funnel.includes(message.event))
  const byEmail = new Map<unknown, Line[]>()
  for (const email of emails)
    byEmail.set(email.properties!.email_id, [...(byEmail.get(email.properties!.email_id) ?? []), email])
  const signups = new Set(messages.filter((message) => message.type === 'identify').map((message) => message.userId))
  expect(byEmail.size).toBe(signups.size)
  const reached = new Array<number>(funnel.length).fill(0)
  for (const series of byEmail.values()) {
    // Each series is a prefix of the funnel, in order, by one signed-up user, without an anonymousId.
    expect(series.map((message) => message.event)).toEqual(funnel.slice(0, series.length))
    expect(new Set(series.map((message) => message.userId)).size).toBe(1)
    expect(signups.has(series[0]!.userId)).toBe(true)
    expect(series.every((message) => message.anonymousId === undefined)).toBe(true)
    series.forEach((_, step) => reached[step]!++)
  }
  // Each step loses some: delivered almost all, opened under half, clicked and unsubscribed fewer.
  expect(reached[1]!).toBeGreaterThan(reached[0]! * 0.9)
  expect(reached[2]!).toBeLessThan(reached[1]! * 0.6)
  expect(reached[3]!).toBeLessThan(reached[2]!)
  expect(reached[4]!).toBeLessThanOrEqual(reached[3]!)
})

test('shopping: a session views before it adds, and an order follows an add in the same session', () => {
  const orders = messages.filter((message) => message.event === 'Order Completed')
  expect(orders.length).toBeGreaterThan(20)
  for (const order of orders) {
    const device = byAnonymousId.get(order.anonymousId!)!
    const products = (order.properties!.products as Array<{ product_id: string }>).map((p) => p.product_id)
    const added = device
      .slice(0, device.indexOf(order))
      .filter((message) => message.event === 'Product Added')
      .map((message) => message.properties!.product_id)
    for (const product of products) expect(added).toContain(product)
  }
})

test('returning users come back on later days, sometimes on a second device', () => {
  const days = new Map<string, Set<number>>()
  const devices = new Map<string, Set<string>>()
  for (const message of messages.filter((m) => m.userId && m.anonymousId)) {
    days.set(message.userId!, (days.get(message.userId!) ?? new Set()).add(Math.floor(time(message) / DAY_MS)))
    devices.set(message.userId!, (devices.get(message.userId!) ?? new Set()).add(message.anonymousId!))
  }
  expect([...days.values()].filter((set) => set.size >= 2).length).toBeGreaterThan(30)
  expect([...devices.values()].filter((set) => set.size >= 2).length).toBeGreaterThan(0)
})
