// The people in the replay. Every day brings new visitors; some sign up and become users who come back, with a
// lasting taste for some categories, brands and a price level, until they drift away. A person is derived afresh from
// (seed, day they first visited, their number that day) whenever they appear, so no population is kept in memory.
import { isoTime } from './calendar'
import { PRICE_LEVELS, priceLevel, type Catalogue, type PriceLevel } from './catalogue'
import { cumulative, Random } from './random'
import { makeSender, type Sender } from './messages'
import { PLATFORMS, type Platform, type Source } from './sources'

// Stream tags: one random stream per (tag, seed, day, visitor, …).
export const STREAM = { fate: 1, person: 2, device: 3, firstVisit: 4, activeDay: 5, shopping: 6, traits: 7 } as const

/** How a new visitor's story goes: drawn first, and cheaply, so that later days can ask who is still around. */
export interface Fate {
  signupClicked: boolean
  registered: boolean
  /** Days after the first visit during which a registered user keeps coming back. */
  lifetimeDays: number
  /** The chance that a registered user shops on a given day of their lifetime. */
  activity: number
}

// Funnel rates of the registration path (Page Viewed → Signup Clicked → Signup Success → identify).
export const SIGNUP_CLICK_RATE = 0.5
export const SIGNUP_SUCCESS_RATE = 0.6
export const MEAN_LIFETIME_DAYS = 30
export const MAX_LIFETIME_DAYS = 120

export function fateOf(seed: number, day: number, visitor: number): Fate {
  const random = new Random(STREAM.fate, seed, day, visitor)
  const signupClicked = random.chance(SIGNUP_CLICK_RATE)
  const registered = random.chance(SIGNUP_SUCCESS_RATE) && signupClicked
  const lifetimeDays = Math.min(MAX_LIFETIME_DAYS, Math.ceil(random.exponential(MEAN_LIFETIME_DAYS)))
  // Most users shop now and then; a few are regulars.
  const activity = 0.1 + 0.5 * random.float() ** 2
  return { signupClicked, registered, lifetimeDays, activity }
}

export interface Taste {
  /** Favourite categories, most liked first. */
  categories: string[]
  brands: string[]
  priceLevel: PriceLevel
}

export interface Person {
  firstDay: number
  visitor: number
  fate: Fate
  platform: Platform
  /** Another platform they sometimes shop on, with a device of its own. */
  otherPlatform?: Platform
  zone: TimeZone
  taste: Taste
  userId: string
  ip: string
}

type TimeZone = readonly [name: string, offsetMinutes: number, locale: string, share: number]
const TIME_ZONES: readonly TimeZone[] = [
  // [IANA name, minutes from UTC (standard time), locale, share of shoppers]
  ['America/Los_Angeles', -480, 'en-US', 20],
  ['America/Denver', -420, 'en-US', 5],
  ['America/Chicago', -360, 'en-US', 15],
  ['America/New_York', -300, 'en-US', 25],
  ['Europe/London', 0, 'en-GB', 12],
  ['Europe/Berlin', 60, 'de-DE', 8],
  ['Europe/Paris', 60, 'fr-FR', 5],
  ['Asia/Tokyo', 540, 'ja-JP', 4],
  ['Australia/Sydney', 600, 'en-AU', 6]
]
const TIME_ZONE_SHARES = cumulative(TIME_ZONES.map((zone) => zone[3]))

// The share of new visitors by platform, when all three sources are on.
const PLATFORM_SHARES: Record<Platform, number> = { web: 50, ios: 30, android: 20 }

const FIRST_NAMES = ['Ada', 'Alex', 'Amara', 'Ben', 'Carla', 'Chen', 'Dana', 'Diego', 'Elena', 'Farah', 'Grace', 'Hugo']
  .concat(['Ines', 'Jamal', 'Kai', 'Lena', 'Maya', 'Noah', 'Olga', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara'])
  .concat(['Uma', 'Victor', 'Wen', 'Yara', 'Zoe', 'Omar', 'Lucia', 'Marcus', 'Nina', 'Felix', 'Hana', 'Ivan'])
const LAST_NAMES = ['Adams', 'Baker', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Jensen']
  .concat(['Kowalski', 'Larsen', 'Moreau', 'Nakamura', 'Okafor', 'Patel', 'Quintero', 'Rossi', 'Schmidt', 'Tanaka'])
  .concat(['Unger', 'Varga', 'Wright', 'Xu', 'Yilmaz', 'Zhang', 'Silva', 'Murphy', 'Novak', 'Khan'])
// RFC 2606 domains: addresses that look real and can never reach anyone.
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org']

type Weighted<T> = ReadonlyArray<readonly [T, number]>

function draw<T>(random: Random, choices: Weighted<T>): T {
  let target = random.float() * choices.reduce((sum, [, weight]) => sum + weight, 0)
  for (const [value, weight] of choices) if ((target -= weight) < 0) return value
  return choices[choices.length - 1]![0]
}

// The workshop's traits, with its bugs fixed: "Invited User?" was always the string "Invited User?", the
// "Referrering Domain" key was misspelt, and iPhone6,1 was listed twice.
const CAMPAIGN_SOURCES: Weighted<string> = [
  ['Twitter', 20],
  ['Facebook', 55],
  ['Email', 12],
  ['Organic', 70],
  ['Google Adwords', 10]
]
const CAMPAIGN_NAMES: Weighted<string> = [
  ['Super Sale', 20],
  ['Buy Now', 15],
  ['Huge Discounts!', 25]
]
const EXPERIMENT_GROUPS: Weighted<string> = [
  ['Group A', 20],
  ['Group B', 20],
  ['Group C', 60]
]
const REFERRERS = ['Organic', 'https://retailmenot.com', 'https://google.com', 'https://facebook.com']
const APP_VERSIONS: Weighted<string> = [
  ['1.0.1', 5],
  ['2.0.1', 10],
  ['3.0.1', 90]
]
const IPHONES: Weighted<string> = [
  ['iPhone12,1', 30],
  ['iPhone13,2', 40],
  ['iPhone14,5', 50],
  ['iPhone15,2', 45],
  ['iPad13,1', 15]
]
const ANDROIDS: Weighted<string> = [
  ['SM-G991B', 45],
  ['SM-A536B', 40],
  ['Pixel 7', 35],
  ['Pixel 8', 30],
  ['moto g power', 20]
]
const BROWSERS: Weighted<readonly [string, string]> = [
  [['Chrome', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36'], 45],
  [['Firefox', 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'], 25],
  [['Safari', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 Version/17.2 Safari/605.1.15'], 30],
  [['Edge', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0'], 10]
]
// First octets of public unicast address space (no private, loopback, multicast or reserved blocks).
const PUBLIC_OCTETS = [23, 24, 31, 34, 45, 52, 63, 66, 71, 73, 81, 82, 98, 104, 142, 151, 176, 185, 203, 212]

function publicIp(random: Random): string {
  return `${random.pick(PUBLIC_OCTETS)}.${random.below(256)}.${random.below(256)}.${random.between(1, 254)}`
}

/** Which platforms new visitors arrive on, given the enabled sources. */
export function platformShares(platforms: readonly Platform[]): { platforms: Platform[]; shares: Float64Array } {
  const enabled = PLATFORMS.filter((p) => platforms.includes(p))
  return { platforms: enabled, shares: cumulative(enabled.map((p) => PLATFORM_SHARES[p])) }
}

/** A taste that spans the catalogue: a favourite category (and sometimes a second), brands met there, a price level. */
function tasteOf(random: Random, catalogue: Catalogue): Taste {
  const favourite = random.pick(catalogue.categories)
  const categories = [favourite]
  if (random.chance(0.4)) {
    const second = random.pick(catalogue.categories)
    if (second !== favourite) categories.push(second)
  }
  const shelf = catalogue.byCategory.get(favourite)!
  const brands = [catalogue.products[shelf.products[random.weighted(shelf.popularity)]!]!.brand]
  if (random.chance(0.5)) {
    const other = catalogue.products[random.weighted(catalogue.popularity)]!.brand
    if (other !== brands[0]) brands.push(other)
  }
  return { categories, brands, priceLevel: random.pick(PRICE_LEVELS) }
}

export interface World {
  seed: number
  catalogue: Catalogue
  sources: Record<Platform, Source | undefined>
  platforms: { platforms: Platform[]; shares: Float64Array }
}

interface DeviceDetails {
  /** `context` as JSON. */
  context: string
  /** The workshop's device traits: operating_system, and browser (web) or model and App Version (apps). */
  traits: Record<string, string>
}

// A device's `context` differs from another's on the same platform, zone and model only in its IP address and
// device id, so the JSON is built once per setup, with placeholders, and filled in for each device.
const IP = '@@ip@@'
const DEVICE_ID = '@@device.id@@'
const contexts = new Map<string, string[]>()

function contextJson(key: string, build: () => object, ip: string, deviceId = ''): string {
  let parts = contexts.get(key)
  if (!parts) contexts.set(key, (parts = JSON.stringify(build()).split(/@@ip@@|@@device\.id@@/)))
  return parts.length === 2 ? parts[0]! + ip + parts[1]! : parts[0]! + ip + parts[1]! + deviceId + parts[2]!
}

function deviceDetails(platform: Platform, source: Source, random: Random, zone: TimeZone, ip: string): DeviceDetails {
  const common = { ip: IP, library: source.library, locale: zone[2], timezone: zone[0] }
  if (platform === 'web') {
    const [browser, userAgent] = draw(random, BROWSERS)
    const key = `web ${source.library.name} ${zone[0]} ${browser}`
    return {
      context: contextJson(key, () => ({ ...common, userAgent }), ip),
      traits: { operating_system: 'Web', browser }
    }
  }
  const ios = platform === 'ios'
  const version = draw(random, APP_VERSIONS)
  const model = draw(random, ios ? IPHONES : ANDROIDS)
  const os = ios ? 'iOS' : 'Android'
  const deviceId = random.uuid()
  const osVersion = ios ? `17.${random.below(6)}` : `${13 + random.below(3)}`
  const key = `${platform} ${source.library.name} ${zone[0]} ${version} ${model} ${osVersion}`
  const build = () => ({
    ...common,
    app: { name: 'Segment Shop', version, build: version.replaceAll('.', ''), namespace: 'com.example.shop' },
    device: { id: DEVICE_ID, manufacturer: ios ? 'Apple' : 'Samsung', model, type: platform },
    os: { name: os, version: osVersion }
  })
  return {
    context: contextJson(key, build, ip, deviceId),
    traits: { operating_system: os, model, 'App Version': version }
  }
}

function device(world: World, person: Person, platform: Platform): { sender: Sender; traits: Record<string, string> } {
  const random = new Random(STREAM.device, world.seed, person.firstDay, person.visitor, PLATFORMS.indexOf(platform))
  const source = world.sources[platform]!
  const anonymousId = random.uuid()
  const details = deviceDetails(platform, source, random, person.zone, person.ip)
  return { sender: makeSender(source, details.context, anonymousId), traits: details.traits }
}

export function personOf(world: World, firstDay: number, visitor: number, fate: Fate): Person {
  const random = new Random(STREAM.person, world.seed, firstDay, visitor)
  const { platforms, shares } = world.platforms
  const platform = platforms[random.weighted(shares)]!
  const other = platforms[random.weighted(shares)]!
  return {
    firstDay,
    visitor,
    fate,
    platform,
    otherPlatform: other !== platform && random.chance(0.3) ? other : undefined,
    zone: TIME_ZONES[random.weighted(TIME_ZONE_SHARES)]!,
    taste: tasteOf(random, world.catalogue),
    userId: random.uuid(),
    ip: publicIp(random)
  }
}

/** The person's device on `platform`, as the sender of their messages from it. */
export function senderOf(world: World, person: Person, platform: Platform): Sender {
  return device(world, person, platform).sender
}

/** identify traits as JSON; createdAt is the moment they signed up. */
export function traitsOf(world: World, person: Person, signedUpAt: number): string {
  const random = new Random(STREAM.traits, world.seed, person.firstDay, person.visitor)
  const firstName = random.pick(FIRST_NAMES)
  const lastName = random.pick(LAST_NAMES)
  const source = draw(random, CAMPAIGN_SOURCES)
  return JSON.stringify({
    first_name: firstName,
    last_name: lastName,
    email: `${firstName}.${lastName}.${random.below(1000)}@${random.pick(EMAIL_DOMAINS)}`.toLowerCase(),
    createdAt: isoTime(signedUpAt),
    'Invited User?': random.chance(0.15),
    'Experiment Group': draw(random, EXPERIMENT_GROUPS),
    'Campaign Source': source,
    'Campaign Name': source === 'Organic' ? 'Organic' : draw(random, CAMPAIGN_NAMES),
    'Favorite Departments': person.taste.categories.join(', '),
    'Referring Domain': random.pick(REFERRERS),
    likelihood_to_buy: Math.round(random.float() * 100) / 100,
    lifetime_value: Math.round(random.exponential(800) * 100) / 100,
    price_preference: person.taste.priceLevel,
    ip: person.ip,
    ...device(world, person, person.platform).traits
  })
}

/**
 * A product this person looks at: mostly from their favourite categories and brands, popular ones more often, at
 * their price level more often than not; sometimes whatever is popular in the whole shop.
 */
export function productFor(taste: Taste, catalogue: Catalogue, random: Random): number {
  let choice = 0
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = random.float()
    const shelf =
      r < 0.65
        ? catalogue.byCategory.get(taste.categories[random.below(taste.categories.length)]!)!
        : r < 0.92
          ? catalogue.byBrand.get(taste.brands[random.below(taste.brands.length)]!)!
          : undefined
    choice = shelf ? shelf.products[random.weighted(shelf.popularity)]! : random.weighted(catalogue.popularity)
    if (priceLevel(catalogue.products[choice]!.price) === taste.priceLevel || random.chance(0.2)) return choice
  }
  return choice
}

/** The visitors of one day who signed up, with their fates: who can come back on later days. */
export interface Cohort {
  firstDay: number
  users: Array<{ visitor: number; fate: Fate }>
}

/** The cohort of `firstDay`, from a per-run cache (later days ask for the same cohorts again and again). */
export function cohortOf(cache: Map<number, Cohort>, seed: number, usersPerDay: number, firstDay: number): Cohort {
  let cohort = cache.get(firstDay)
  if (!cohort) {
    const users: Cohort['users'] = []
    for (let visitor = 0; visitor < usersPerDay; visitor++) {
      const fate = fateOf(seed, firstDay, visitor)
      if (fate.registered) users.push({ visitor, fate })
    }
    cache.set(firstDay, (cohort = { firstDay, users }))
    // Cohorts older than anyone's lifetime are never asked for again.
    cache.delete(firstDay - MAX_LIFETIME_DAYS - 1)
  }
  return cohort
}

/** Whether this registered user shops on `day`, a day after their first. */
export function shopsOn(seed: number, firstDay: number, visitor: number, fate: Fate, day: number): boolean {
  return (
    day - firstDay <= fate.lifetimeDays &&
    new Random(STREAM.activeDay, seed, firstDay, visitor, day).chance(fate.activity)
  )
}
