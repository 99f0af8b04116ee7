import { cumulative, Random } from '../random'

test('a key gives the same stream every time; another key another stream', () => {
  const draw = (...key: number[]) => {
    const random = new Random(...key)
    return Array.from({ length: 5 }, () => random.bits())
  }
  expect(draw(1, 2, 3)).toEqual(draw(1, 2, 3))
  expect(draw(1, 2, 3)).not.toEqual(draw(1, 2, 4))
  expect(draw(1, 2, 3)).not.toEqual(draw(1, 3, 2))
  expect(draw(1, 2)).not.toEqual(draw(1, 2, 0))
})

test('streams of neighbouring keys do not collide (128-bit state)', () => {
  const seen = new Set<string>()
  for (let day = 0; day < 200; day++)
    for (let visitor = 0; visitor < 1000; visitor++) seen.add(new Random(2, 1, day, visitor).uuid())
  expect(seen.size).toBe(200_000)
})

test('uuids have version 4 and the RFC 4122 variant', () => {
  const random = new Random(9)
  const ids = Array.from({ length: 1000 }, () => random.uuid())
  const pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  expect(ids.filter((id) => !pattern.test(id))).toEqual([])
})

test('floats are uniform in [0, 1)', () => {
  const random = new Random(10)
  const buckets = new Array<number>(10).fill(0)
  const draws = Array.from({ length: 100_000 }, () => random.float())
  for (const x of draws) buckets[Math.floor(x * 10)]!++
  expect(Math.min(...draws)).toBeGreaterThanOrEqual(0)
  expect(Math.max(...draws)).toBeLessThan(1)
  for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500)
})

test('weighted draws follow the weights', () => {
  const random = new Random(11)
  const counts = [0, 0, 0, 0]
  const totals = cumulative([1, 0, 3, 6])
  for (let n = 0; n < 100_000; n++) counts[random.weighted(totals)]!++
  expect(counts[1]).toBe(0)
  expect(counts[0]! / 100_000).toBeCloseTo(0.1, 1)
  expect(counts[2]! / 100_000).toBeCloseTo(0.3, 1)
  expect(counts[3]! / 100_000).toBeCloseTo(0.6, 1)
})

test('poisson and exponential have the asked-for means', () => {
  const random = new Random(12)
  let poisson = 0
  let exponential = 0
  for (let n = 0; n < 50_000; n++) {
    poisson += random.poisson(3)
    exponential += random.exponential(20)
  }
  expect(poisson / 50_000).toBeCloseTo(3, 1)
  expect(exponential / 50_000 / 20).toBeCloseTo(1, 1)
})
