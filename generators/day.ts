// One day of the replay: the day's new visitors (the registration funnel, and the welcome emails of those who sign
// up) and the returning users who shop that day, as Segment messages in time order.
import { DAY_MS, momentOn } from './calendar'
import { flat, type Message, type Sender } from './messages'
import type { Model } from './model'
import {
  cohortOf,
  fateOf,
  MAX_LIFETIME_DAYS,
  personOf,
  productFor,
  senderOf,
  shopsOn,
  STREAM,
  traitsOf,
  type Person
} from './people'
import { Random } from './random'

/** Everything a session needs to emit messages: who, on which device, with which random stream, from when. */
interface Session {
  model: Model
  person: Person
  sender: Sender
  random: Random
  /** The sender's clock, advanced as the session goes on. */
  at: number
  userId?: string
  messages: Message[]
}

// How long a library holds a message before sending it, by platform: analytics.js sends at once, the mobile
// libraries batch (every 30 s or 20 events), the email service posts within a second or two.
const SEND_DELAY_MS: Record<string, number> = { browser: 1500, mobile: 30_000, server: 2000 }

function emit(
  session: Session,
  type: Message['type'],
  event: string | undefined,
  body: string,
  rest: string,
  sender = session.sender
) {
  const { random } = session
  session.messages.push({
    at: session.at,
    sendDelay: random.below(SEND_DELAY_MS[sender.source.channel]!),
    latency: 20 + random.below(280),
    sender,
    userId: sender === session.sender ? session.userId : session.person.userId,
    type,
    event,
    body,
    rest,
    messageId: random.uuid()
  })
}

/** A track call: `opening` is `"properties":{…` (see Message.body), `rest` the remaining properties and the `}`. */
function track(session: Session, event: string, opening: string, rest = '}'): void {
  emit(session, 'track', event, opening, rest)
}

/** Moves the session's clock on by a human pause: a few seconds to a minute or two. */
function pause(session: Session, meanSeconds = 20): void {
  session.at += 1000 + Math.floor(session.random.exponential(meanSeconds * 1000))
}

// Where sessions start, as `"properties":{…` openings (flat: see Message.body), and how often.
const PAGES = [
  ['Home', '/'],
  ['Search', '/search'],
  ['Category', '/collections']
].map(([name, path]) =>
  flat(`"properties":{"page_name":"${name}","path":"${path}","url":"https://shop.example.com${path}"`)
)
const PAGE_SHARES = Float64Array.of(20, 75, 100)
const SIGNUP_SUCCESS = '"properties":{"method":"email"'

function page(random: Random): string {
  return PAGES[random.weighted(PAGE_SHARES)]!
}

const EVENT = {
  pageViewed: 'Page Viewed',
  signupClicked: 'Signup Clicked',
  signupSuccess: 'Signup Success',
  productClicked: 'Product Clicked',
  productViewed: 'Product Viewed',
  productAdded: 'Product Added',
  orderCompleted: 'Order Completed'
}

interface CartLine {
  product: number
  quantity: number
}

/** Product views, clicks and adds, as the mix says; returns what went into the cart. */
function browse(session: Session, views: number, cartId: string): CartLine[] {
  const { model, random, person } = session
  const { mix, compat } = model
  const cart: CartLine[] = []
  for (let n = 0; n < views; n++) {
    pause(session)
    const product = productFor(person.taste, model.world.catalogue, random)
    const opening = model.productOpening[product]!
    if (random.chance(mix.click)) {
      const category = model.world.catalogue.products[product]!.category.toLowerCase()
      track(
        session,
        EVENT.productClicked,
        opening,
        compat ? '}' : `,"list_id":"${category}","position":${1 + random.below(12)}}`
      )
      pause(session, 3)
    }
    track(session, EVENT.productViewed, opening)
    if (random.chance(mix.add)) {
      const quantity = random.chance(0.85) ? 1 : 2
      pause(session, 10)
      track(session, EVENT.productAdded, opening, compat ? '}' : `,"cart_id":"${cartId}","quantity":${quantity}}`)
      cart.push({ product, quantity })
    }
  }
  return cart
}

const cents = (amount: number) => Math.round(amount * 100) / 100

/** Order Completed for the cart: spec-shaped with products[], or, in workshop compat, one sku-only event per product. */
function order(session: Session, cart: CartLine[]): void {
  const { model, random } = session
  pause(session, 60)
  if (model.compat) {
    for (const line of cart) track(session, EVENT.orderCompleted, model.productOpening[line.product]!)
    return
  }
  const products = model.world.catalogue.products
  const revenue = cents(cart.reduce((sum, line) => sum + products[line.product]!.price * line.quantity, 0))
  const shipping = revenue >= 100 ? 0 : 5.99
  const tax = cents(revenue * 0.08)
  const lines = cart.map((line) => `{${model.productFields[line.product]!},"quantity":${line.quantity}}`)
  track(
    session,
    EVENT.orderCompleted,
    `"properties":{"order_id":"${random.uuid()}","total":${cents(revenue + shipping + tax)},"subtotal":${revenue},` +
      `"revenue":${revenue},"shipping":${shipping},"tax":${tax},"currency":"USD","products":[${lines.join(',')}]`
  )
}

/** A shopping session of a known user (or, after sign-up, of a new one): browse, maybe buy. */
function shop(session: Session, views: number): void {
  const cart = browse(session, views, session.random.uuid())
  if (cart.length > 0 && session.random.chance(session.model.mix.order)) order(session, cart)
}

function viewsInSession(session: Session): number {
  return 1 + session.random.poisson(session.model.mix.views - 1)
}

// The welcome series a new user gets from the email source, and how far each step gets:
// Email Sent → Email Delivered → Email Opened → Email Link Clicked → Unsubscribe.
const EMAIL_FUNNEL: ReadonlyArray<readonly [event: string, rate: number, meanSeconds: number]> = [
  ['Email Sent', 1, 120],
  ['Email Delivered', 0.97, 2],
  ['Email Opened', 0.45, 1800],
  ['Email Link Clicked', 0.3, 60],
  ['Unsubscribe', 0.1, 5]
]

function welcomeEmail(session: Session, email: Sender): void {
  const { random } = session
  const opening = `"properties":{"campaign_id":"welcome","campaign_name":"Welcome to Segment Shop","email_id":"${random.uuid()}","email_subject":"Welcome, here is 10% off"`
  for (const [event, rate, meanSeconds] of EMAIL_FUNNEL) {
    if (!random.chance(rate)) return
    pause(session, meanSeconds)
    const link =
      event === 'Email Link Clicked'
        ? ',"link_url":"https://shop.example.com/?utm_source=email&utm_campaign=welcome"'
        : ''
    emit(session, 'track', event, opening, `${link}}`, email)
  }
}

/** A new visitor's first day: the registration funnel, browsing before and after, and the welcome email. */
function firstVisit(model: Model, day: number, visitor: number, out: Message[]): void {
  const fate = fateOf(model.seed, day, visitor)
  const person = personOf(model.world, day, visitor, fate)
  const random = new Random(STREAM.firstVisit, model.seed, day, visitor)
  const session: Session = {
    model,
    person,
    sender: senderOf(model.world, person, person.platform),
    random,
    at: momentOn(day, person.zone[1], random),
    messages: []
  }
  track(session, EVENT.pageViewed, page(random))
  browse(session, random.poisson(1.5), random.uuid())
  if (fate.signupClicked) {
    pause(session)
    track(session, EVENT.signupClicked, page(random))
  }
  if (fate.registered) {
    pause(session, 45)
    track(session, EVENT.signupSuccess, SIGNUP_SUCCESS)
    // The app identifies the new user: this links the device's anonymousId to the userId from here on.
    session.userId = person.userId
    emit(session, 'identify', undefined, `"traits":${traitsOf(model.world, person, session.at)}`, '')
    const signedUp = session.at
    shop(session, viewsInSession(session))
    if (model.email) {
      session.at = signedUp
      welcomeEmail(session, model.email)
    }
  }
  settle(session.messages, day, out)
}

/** A returning user's sessions on `day`: mostly on their first device, now and then on another. */
function returningVisits(model: Model, person: Person, day: number, out: Message[]): void {
  const random = new Random(STREAM.shopping, model.seed, person.firstDay, person.visitor, day)
  const sessions = 1 + random.poisson(model.sessionsPerUser - 1)
  for (let n = 0; n < sessions; n++) {
    const platform = person.otherPlatform && random.chance(0.25) ? person.otherPlatform : person.platform
    const session: Session = {
      model,
      person,
      sender: senderOf(model.world, person, platform),
      random,
      at: momentOn(day, person.zone[1], random),
      userId: person.userId,
      messages: []
    }
    track(session, EVENT.pageViewed, page(random))
    shop(session, viewsInSession(session))
    settle(session.messages, day, out)
  }
}

/** Adds a session's messages to the day, moved earlier if the session would run past midnight (UTC). */
function settle(messages: Message[], day: number, out: Message[]): void {
  const last = messages[messages.length - 1]
  const overflow = last ? last.at - ((day + 1) * DAY_MS - 1000) : 0
  for (const message of messages) {
    if (overflow > 0) message.at -= overflow
    out.push(message)
  }
}

/** Every message of `day`, in time order. */
export function generateDay(model: Model, day: number): Message[] {
  const out: Message[] = []
  for (let visitor = 0; visitor < model.usersPerDay; visitor++) firstVisit(model, day, visitor, out)
  for (let firstDay = Math.max(model.from, day - MAX_LIFETIME_DAYS); firstDay < day; firstDay++) {
    for (const { visitor, fate } of cohortOf(model.cohorts, model.seed, model.usersPerDay, firstDay).users) {
      if (shopsOn(model.seed, firstDay, visitor, fate, day))
        returningVisits(model, personOf(model.world, firstDay, visitor, fate), day, out)
    }
  }
  return inTimeOrder(out, day)
}

/**
 * The messages sorted by time, ties in the order they were made. Sorting numbers is several times faster than sorting
 * objects with a comparator: each key is (ms into the day) · 2^22 + position, exact in a double for any day of
 * fewer than 4 million messages.
 */
function inTimeOrder(messages: Message[], day: number): Message[] {
  if (messages.length >= 4_194_304) return messages.sort((a, b) => a.at - b.at) // stable too, only slower
  const start = day * DAY_MS
  const keys = new Float64Array(messages.length)
  messages.forEach((message, n) => (keys[n] = (message.at - start) * 4_194_304 + n))
  keys.sort()
  const sorted = new Array<Message>(messages.length)
  for (let n = 0; n < keys.length; n++) sorted[n] = messages[keys[n]! % 4_194_304]!
  return sorted
}
