import { toEpochSeconds } from '../time'
import { NOT_DATES, READ_AS } from './__helpers__/timestamps'

describe('toEpochSeconds', () => {
  test.each(READ_AS)('%p is %p', (input, expected) => {
    expect(toEpochSeconds(input)).toBeCloseTo(expected, 3)
  })

  test.each(NOT_DATES)('%p is not a date', (input) => {
    expect(toEpochSeconds(input)).toBeUndefined()
  })
})
