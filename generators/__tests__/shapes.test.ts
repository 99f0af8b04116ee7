import { makeCatalogue, WORKSHOP_SIZE } from '../catalogue'
import { defaultSource, SOURCE_NAMES } from '../sources'
import { messagesOf, testOptions, type Line } from './fixtures'

const spec = messagesOf(testOptions(), 2)
const workshop = messagesOf(testOptions({ compat: 'workshop' }), 2)
const named = (messages: Line[], event: string) => messages.filter((message) => message.event === event)
const SINGLE_PRODUCT = ['Product Viewed', 'Product Clicked', 'Product Added']
const PRODUCT_FIELDS = ['product_id', 'sku', 'name', 'category', 'brand', 'price']

test.each(SINGLE_PRODUCT)('%s follows the e-commerce v2 spec', (event) => {
  const messages = named(spec, event)
  expect(messages.length).toBeGreaterThan(50)
  for (const { properties } of messages) {
    for (const field of PRODUCT_FIELDS) expect(properties).toHaveProperty(field)
    expect(properties!.price).toEqual(expect.any(Number))
  }
})

test('Product Added carries the cart and a quantity; Product Clicked the list and position', () => {
  for (const { properties } of named(spec, 'Product Added'))
    expect(properties).toMatchObject({ cart_id: expect.any(String), quantity: expect.any(Number) })
  for (const { properties } of named(spec, 'Product Clicked'))
    expect(properties).toMatchObject({ list_id: expect.any(String), position: expect.any(Number) })
})

test('Order Completed has products[] and revenue adding up', () => {
  const orders = named(spec, 'Order Completed')
  expect(orders.length).toBeGreaterThan(10)
  for (const { properties } of orders) {
    const products = properties!.products as Array<Record<string, number | string>>
    expect(products.length).toBeGreaterThan(0)
    for (const product of products)
      for (const field of [...PRODUCT_FIELDS, 'quantity']) expect(product).toHaveProperty(field)
    const sum = products.reduce((total, p) => total + (p.price as number) * (p.quantity as number), 0)
    expect(properties!.revenue).toBeCloseTo(sum, 2)
    expect(properties!.total).toBeCloseTo(
      (properties!.revenue as number) + (properties!.shipping as number) + (properties!.tax as number),
      2
    )
    expect(properties).toMatchObject({ order_id: expect.any(String), currency: 'USD' })
  }
})

test('item popularity is skewed and every product can be seen', () => {
  const views = new Map<unknown, number>()
  for (const { properties } of named(spec, 'Product Viewed'))
    views.set(properties!.product_id, (views.get(properties!.product_id) ?? 0) + 1)
  const counts = [...views.values()].sort((a, b) => b - a)
  expect(views.size).toBeGreaterThan(WORKSHOP_SIZE * 0.8)
  expect(counts[0]!).toBeGreaterThan(counts[counts.length - 1]! * 5)
})

test('--compat workshop: product events carry only sku, and Order Completed has no products[]', () => {
  for (const event of [...SINGLE_PRODUCT, 'Order Completed']) {
    const messages = named(workshop, event)
    expect(messages.length).toBeGreaterThan(0)
    for (const { properties } of messages) expect(Object.keys(properties!)).toEqual(['sku'])
  }
})

test('--compat workshop uses the workshop’s 50 SKUs, the same items the spec shape names', () => {
  const workshopSkus = new Set(makeCatalogue(WORKSHOP_SIZE, 1).products.map((product) => product.sku))
  expect(workshopSkus.size).toBe(50)
  expect(workshopSkus.has('vans-sk8-hi-decon-cutout-leaves-white')).toBe(true)
  const skus = new Set(named(workshop, 'Product Clicked').map((message) => message.properties!.sku as string))
  const ids = new Set(named(spec, 'Product Clicked').map((message) => message.properties!.product_id as string))
  expect([...skus].filter((sku) => !workshopSkus.has(sku))).toEqual([])
  expect([...ids].filter((id) => !workshopSkus.has(id))).toEqual([])
})

test('every message is stored as Segment stores it', () => {
  const sources = new Map(SOURCE_NAMES.map((name) => defaultSource(name)).map((source) => [source.sourceId, source]))
  for (const message of spec) {
    const source = sources.get(message.projectId)!
    expect(source).toBeDefined()
    expect(message.writeKey).toBe(source.writeKey)
    expect(message.version).toBe(2)
    expect(message.context.library).toEqual(source.library)
    expect(message.channel).toBe(source.channel)
    const [original, sent, received, timestamp] = [
      message.originalTimestamp,
      message.sentAt,
      message.receivedAt,
      message.timestamp
    ].map(Date.parse) as [number, number, number, number]
    expect(sent).toBeGreaterThanOrEqual(original)
    expect(received).toBeGreaterThan(sent)
    // Segment's correction: timestamp = receivedAt − (sentAt − originalTimestamp).
    expect(timestamp).toBe(received - (sent - original))
  }
})

test('identify traits: the workshop’s, with its bugs fixed', () => {
  const traits = spec.filter((message) => message.type === 'identify').map((message) => message.traits!)
  expect(traits.length).toBeGreaterThan(20)
  for (const trait of traits) {
    expect(trait).toMatchObject({
      first_name: expect.any(String),
      last_name: expect.any(String),
      email: expect.stringMatching(/@example\.(com|net|org)$/),
      createdAt: expect.any(String),
      'Referring Domain': expect.any(String),
      'Favorite Departments': expect.any(String)
    })
    expect(trait).not.toHaveProperty('Referrering Domain')
    // Public addresses only (the workshop drew from the whole IPv4 space).
    expect(String(trait.ip)).not.toMatch(/^(10|127|0|22[4-9]|2[3-5]\d)\.|^192\.168\.|^172\.(1[6-9]|2\d|3[01])\./)
  }
  // "Invited User?" was always the string "Invited User?"; now it is true or false.
  expect(new Set(traits.map((trait) => trait['Invited User?']))).toEqual(new Set([true, false]))
})
