// The Promotion field: what GetRecommendations is asked, and why a promotion cannot be asked.
import { askOf } from '../recommend'
import type { Payload } from '../generated-types'

const base: Payload = { userId: 'user-1', traitName: 'recommended_products' }
const filterArn = 'arn:aws:personalize:us-west-2:000000000000:filter/on-sale'

test('a promotion is sent as the one entry of promotions', () => {
  expect(
    askOf({
      ...base,
      promotions: { name: 'sale', percentPromotedItems: 20, filterArn, filterValues: { CATEGORY: '"shoes"' } }
    })
  ).toEqual({
    userId: 'user-1',
    numResults: 25,
    promotions: [{ name: 'sale', percentPromotedItems: 20, filterArn, filterValues: { CATEGORY: '"shoes"' } }]
  })
})

test('an empty promotion field asks no promotion', () => {
  expect(askOf({ ...base, promotions: {} })).toEqual({ userId: 'user-1', numResults: 25 })
})

test.each([
  [{ percentPromotedItems: 20, filterArn }, 'the promotion needs a name of 1 to 63 characters'],
  [{ name: 'x'.repeat(64), percentPromotedItems: 20, filterArn }, 'the promotion needs a name of 1 to 63 characters'],
  [
    { name: 'sale', percentPromotedItems: 0, filterArn },
    "the promotion's Percent Promoted Items is 0; Personalize accepts 1 to 100"
  ],
  [{ name: 'sale', percentPromotedItems: 2.5, filterArn }, 'the promotion needs a whole Percent Promoted Items'],
  [{ name: 'sale', percentPromotedItems: 20 }, 'the promotion needs a Filter ARN']
])('%j is refused: %s', (promotions, reason) => {
  expect(askOf({ ...base, promotions })).toBe(reason)
})
