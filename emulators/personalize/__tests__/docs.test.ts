// docs/local-personalize.md's support table is what the server serves, and the filter forms it says are refused are.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseFilter } from '../filters'
import { servedOperations } from '../server'

const DOC = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'local-personalize.md'), 'utf8')
const section = (title: string) =>
  DOC.slice(DOC.indexOf(`## ${title}`), DOC.indexOf('\n## ', DOC.indexOf(`## ${title}`) + 3))

test('the support table lists exactly the operations the server serves', () => {
  const table = section('Supported operations')
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| Resource') && !line.startsWith('| ---'))
  const listed = table.flatMap((line) => [...line.split('|')[2]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!))
  const served = Object.values(servedOperations()).flat()
  expect(listed.sort()).toEqual(served.sort())
  expect(new Set(listed).size).toBe(listed.length)
})

test('"Not supported" names no operation the server serves', () => {
  const text = section('Not supported')
  for (const op of Object.values(servedOperations()).flat())
    expect([op, text.includes(`\`${op}\``)]).toEqual([op, false])
})

// One row per filter form the docs say is refused.
test.each([
  ['several conditions', 'EXCLUDE ItemID WHERE Items.CATEGORY IN ("a") AND Items.BRAND IN ("b")'],
  ['a user filter', 'INCLUDE UserID WHERE Users.MEMBERSHIP IN ("gold")'],
  ['CurrentItem', 'INCLUDE ItemID WHERE Items.CATEGORY IN (CurrentItem.CATEGORY)'],
  ['NOT IN', 'EXCLUDE ItemID WHERE Items.CATEGORY NOT IN ("a")'],
  ['a comparison', 'INCLUDE ItemID WHERE Items.PRICE > 10'],
  ['an Interactions column other than EVENT_TYPE', 'EXCLUDE ItemID WHERE Interactions.EVENT_VALUE IN ("1")']
])('%s is refused with a reason', (_what, expression) => {
  expect(typeof parseFilter(expression)).toBe('string')
})

test.each([
  'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Order Completed")',
  'INCLUDE ItemID WHERE Items.CATEGORY IN ("shoes", "books")',
  'INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)'
])('the served form %s is read', (expression) => {
  expect(typeof parseFilter(expression)).toBe('object')
})
