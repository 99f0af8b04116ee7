// The subscriptions store: every validation rule refuses what breaks it with a message that names the subscription
// and the problem, the presets pass them all, saved lists survive a restart, and reset goes back to the presets.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { firstOf } from '../../../destination/mapping'
import { defaultSubscriptions, type Subscription } from '../../segment/delivery'
import {
  checkSubscriptions,
  createSubscriptionStore,
  describeProblem,
  RULES,
  SubscriptionsFileError
} from '../subscriptions'

const presets = defaultSubscriptions()
const productViewed = (): Record<string, unknown> => structuredClone(presets[0]!) as unknown as Record<string, unknown>
const withMapping = (changes: Record<string, unknown>, removed: string[] = []) => {
  const subscription = productViewed()
  const mapping = { ...(subscription.mapping as Record<string, unknown>), ...changes }
  for (const key of removed) delete mapping[key]
  return { ...subscription, mapping }
}

// One row per rule: a subscription that breaks it, and what the problem says.
const CASES: Array<{ rule: string; list: () => unknown[]; message: RegExp }> = [
  { rule: 'name', list: () => [{ ...productViewed(), name: ' ' }], message: /needs a name/ },
  {
    rule: 'name',
    list: () => [productViewed(), productViewed()],
    message: /the name "Product Viewed" is used by 2 subscriptions/
  },
  { rule: 'enabled', list: () => [{ ...productViewed(), enabled: 'yes' }], message: /"enabled" must be true or false/ },
  {
    rule: 'partnerAction',
    list: () => [{ ...productViewed(), partnerAction: 'sendEmail' }],
    message: /"partnerAction" must be one of trackEvent, .* not "sendEmail"/
  },
  { rule: 'subscribe', list: () => [{ ...productViewed(), subscribe: '' }], message: /needs a trigger in FQL/ },
  {
    rule: 'subscribe',
    list: () => [{ ...productViewed(), subscribe: 'type = "track" &&' }],
    message: /the trigger type = "track" && is not valid FQL: write conditions such as type = "track"/
  },
  {
    rule: 'subscribe',
    list: () => [{ ...productViewed(), subscribe: 'type = "track" and (' }],
    message: /the trigger type = "track" and \( has a "\(" that is never closed/
  },
  // parseFql drops a trailing "and" (the trigger would match every track event): it is named.
  {
    rule: 'subscribe',
    list: () => [{ ...productViewed(), subscribe: 'type = "track" and ' }],
    message: /the trigger type = "track" and {2}ends with "and": add a condition after it, or remove it/
  },
  {
    rule: 'subscribe',
    list: () => [{ ...productViewed(), subscribe: 'type = "track" and anonymousId = "a"' }],
    message: /tests "anonymousId", which a trigger cannot test: use type, event, name, userId, properties/
  },
  {
    rule: 'subscribe',
    list: () => [{ ...productViewed(), subscribe: 'type = "track" and event = ' }],
    message: /the trigger type = "track" and event = {2}has a condition without a value/
  },
  { rule: 'mapping', list: () => [{ ...productViewed(), mapping: [] }], message: /"mapping" must be an object/ },
  {
    rule: 'mapping fields',
    list: () => [withMapping({ productId: { '@path': '$.properties.product_id' } })],
    message: /"productId" is not a field of trackEvent \(its fields: userId, sessionId/
  },
  {
    rule: 'required fields',
    list: () => [withMapping({}, ['sessionId'])],
    message: /the required field "sessionId" \(Session ID\) is not mapped/
  },
  { rule: 'JSON values', list: () => [withMapping({ eventValue: Number.NaN })], message: /"eventValue" is not JSON/ },
  {
    rule: 'paths',
    list: () => [withMapping({ itemId: { '@path': 'properties.product_id' } })],
    message:
      /the path of "itemId" "properties.product_id" must start with "\$\." \(such as \$\.properties\.product_id\)/
  },
  {
    rule: 'paths',
    list: () => [withMapping({ sessionId: firstOf('$.context.sessionId', '$.properties..session') })],
    message: /the path of "sessionId" "\$\.properties\.\.session" has an empty part/
  },
  {
    rule: 'literal types',
    list: () => [withMapping({ eventValue: 'twelve' })],
    message: /the value of "eventValue" \(Event Value\) is "twelve", but this field takes a number/
  },
  {
    rule: 'literal types',
    list: () => [withMapping({ sentAt: 'yesterday' })],
    message: /the value of "sentAt" \(Timestamp\) is "yesterday", but this field takes a date-time/
  },
  {
    rule: 'directives',
    list: () => [withMapping({ itemId: { '@path': 42 } })],
    message: /a mapping directive is not valid: .*itemId/
  },
  {
    rule: 'directives',
    list: () => [withMapping({ itemId: { '@nope': '$.x' } })],
    message: /a mapping directive is not valid: .*invalid directive: @nope/
  }
]

test('every rule has a case', () => {
  expect(new Set(CASES.map((c) => c.rule))).toEqual(new Set(RULES.map((rule) => rule.rule)))
})

test.each(CASES.map((c) => [c.rule, c.message.source, c] as const))('rule %s: %s', (rule, _message, c) => {
  const checked = checkSubscriptions(c.list())
  expect(checked.ok).toBe(false)
  if (checked.ok) return
  expect(checked.problems).toContainEqual(expect.objectContaining({ rule, message: expect.stringMatching(c.message) }))
  // Nothing else is wrong with these subscriptions: each case breaks only its own rule.
  expect(checked.problems.every((problem) => problem.rule === rule)).toBe(true)
})

test('the presets pass every rule', () => {
  expect(checkSubscriptions(presets)).toEqual({ ok: true, subscriptions: presets })
})

test('a list that is not an array, and an entry that is not an object, are refused', () => {
  expect(checkSubscriptions({ subscriptions: [] })).toMatchObject({ ok: false, problems: [{ rule: 'list' }] })
  const checked = checkSubscriptions([productViewed(), 'Product Added'])
  expect(checked).toMatchObject({ ok: false, problems: [{ index: 1, rule: 'object' }] })
})

test('problems about a field name it, so the editor shows them beside it', () => {
  const checked = checkSubscriptions([
    withMapping({ itemId: { '@path': '$.properties.' }, eventValue: 'x' }, ['eventType'])
  ])
  if (checked.ok) throw new SubscriptionsFileError('expected problems')
  expect(checked.problems.map(({ rule, field }) => [rule, field])).toEqual([
    ['required fields', 'eventType'],
    ['paths', 'itemId'],
    ['literal types', 'eventValue']
  ])
})

test.each([
  ['type = "track" and', /ends with "and"/],
  ['type = "track" or ', /ends with "or"/],
  ['type = "track" and (event = "a" or)', /is missing a condition after the last "or" before "\)"/],
  ['type = "track" and and event = "a"', /has "and" right after "and"/],
  ['and type = "track"', /has "and" with no condition before it/],
  ['type = "track")', /has a "\)" without its "\("/],
  ['type = "track" and event = "a" or event = "b"', /mixes "and" and "or" without parentheses/],
  ['not type = "track"', /tests "not", which a trigger cannot test/]
])('the trigger %s is refused (parseFql would drop part of it)', (trigger, message) => {
  const checked = checkSubscriptions([{ ...productViewed(), subscribe: trigger }])
  expect(checked).toMatchObject({
    ok: false,
    problems: [{ rule: 'subscribe', message: expect.stringMatching(message) }]
  })
})

test.each([
  'type = "track" and (event = "Product Viewed" or event = "Product Clicked")',
  'type = "identify" and context.personalize.roundTrip = null',
  'properties.products != null and traits.age >= 18.5',
  'contains(event, "Product") and !match(name, "Home*")',
  'event = "a and b" or event = "it\'s"'
])('the trigger %s passes', (trigger) => {
  expect(checkSubscriptions([{ ...productViewed(), subscribe: trigger }]).ok).toBe(true)
})

test('problems name the subscription by position and name', () => {
  const checked = checkSubscriptions([productViewed(), { ...productViewed(), name: 'Viewed', enabled: 1 }])
  if (checked.ok) throw new SubscriptionsFileError('expected problems')
  expect(checked.problems.map(describeProblem)).toEqual(['#2 "Viewed": "enabled" must be true or false'])
})

test('keys other than a subscription’s own are not kept', () => {
  const checked = checkSubscriptions([{ ...productViewed(), note: 'mine' }])
  expect(checked.ok && Object.keys(checked.subscriptions[0]!)).toEqual([
    'name',
    'subscribe',
    'partnerAction',
    'mapping',
    'enabled'
  ])
})

describe('the store', () => {
  const dir = () => mkdtempSync(path.join(os.tmpdir(), 'subscriptions-'))
  const edited = (): Subscription[] => {
    const list = defaultSubscriptions()
    list[0]!.enabled = false
    list[1]!.mapping = { ...list[1]!.mapping, eventType: 'Clicked' }
    return list
  }

  test('holds the presets until something is saved, and does not write them', () => {
    const file = path.join(dir(), 'subscriptions.json')
    const store = createSubscriptionStore({ file })
    expect(store.list()).toEqual(presets)
    expect(store.customized).toBe(false)
    expect(existsSync(file)).toBe(false)
  })

  test('saves a valid list to its file, which a new store (a restart) loads', () => {
    const folder = dir()
    const file = path.join(folder, 'nested', 'subscriptions.json')
    const store = createSubscriptionStore({ file })
    expect(store.replace(edited())).toEqual([])
    expect(store.list()).toEqual(edited())
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ subscriptions: edited() })
    // Written through a temporary file that was renamed: none is left behind.
    expect(readdirSync(path.dirname(file))).toEqual(['subscriptions.json'])
    const restarted = createSubscriptionStore({ file })
    expect(restarted.list()).toEqual(edited())
    expect(restarted.customized).toBe(true)
  })

  test('refuses an invalid list and keeps what it had, on disk and in memory', () => {
    const file = path.join(dir(), 'subscriptions.json')
    const store = createSubscriptionStore({ file })
    store.replace(edited())
    const before = readFileSync(file, 'utf8')
    const problems = store.replace([{ ...edited()[0]!, partnerAction: 'nope' }])
    expect(problems).toMatchObject([{ index: 0, name: 'Product Viewed', rule: 'partnerAction' }])
    expect(store.list()).toEqual(edited())
    expect(readFileSync(file, 'utf8')).toBe(before)
  })

  test('reset goes back to the presets and removes the file', () => {
    const file = path.join(dir(), 'subscriptions.json')
    const store = createSubscriptionStore({ file })
    store.replace(edited())
    store.reset()
    expect(store.list()).toEqual(presets)
    expect(store.customized).toBe(false)
    expect(existsSync(file)).toBe(false)
    expect(createSubscriptionStore({ file }).list()).toEqual(presets)
  })

  test('without a file it keeps the list in memory; its defaults can be given', () => {
    const only = [presets[2]!]
    const store = createSubscriptionStore({ defaults: () => only })
    expect(store.list()).toEqual(only)
    expect(store.replace(edited())).toEqual([])
    expect(store.list()).toEqual(edited())
    store.reset()
    expect(store.list()).toEqual(only)
  })

  test.each([
    ['not JSON', '{"subscriptions": [', /subscriptions\.json cannot be read: /],
    ['not the expected shape', '[]', /must be \{"subscriptions": \[…\]\}/],
    [
      'a subscription that breaks a rule',
      JSON.stringify({ subscriptions: [{ ...presets[0], subscribe: 'type = "track" and (' }] }),
      /has problems[^]*#1 "Product Viewed": the trigger type = "track" and \( has a "\(" that is never closed/
    ]
  ])('a file that is %s is refused with a clear error', (_what, content, message) => {
    const file = path.join(dir(), 'subscriptions.json')
    writeFileSync(file, content)
    expect(() => createSubscriptionStore({ file })).toThrow(SubscriptionsFileError)
    expect(() => createSubscriptionStore({ file })).toThrow(message)
  })
})
