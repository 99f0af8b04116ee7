// The emulator's recommender: item-to-item co-occurrence (item-kNN) with recency, and popularity for cold starts.
// It is not Personalize's model (user-personalization is a neural model with exploration); it is a well-understood
// method that learns from the same data and reacts to new events the same way: a PutEvents for a known user changes
// that user's next recommendations at once, because recommendations are computed from the user's latest history.

export interface Interaction {
  userId: string
  itemId: string
  /** Epoch seconds. */
  timestamp: number
  eventType?: string
}

export interface Model {
  /** Items by interaction count, most popular first. */
  popular: string[]
  popularity: Map<string, number>
  /** For each item, its most similar items with their similarity, best first. */
  neighbours: Map<string, Array<[string, number]>>
  /** Each user's items, most recent last, as trained. */
  histories: Map<string, string[]>
}

// How far apart in a user's history two interactions may be and still count as co-occurring, how many neighbours
// each item keeps, and how much of a user's recent history drives their recommendations.
const WINDOW = 10 // under 16: PairCounts keeps the distance in four bits
const NEIGHBOURS = 50
const HISTORY = 20
const RECENCY = 0.85
const REPEAT = 0.5

export function train(interactions: Interaction[]): Model {
  // Items are numbered once, so the co-occurrence counts are keyed by numbers rather than strings.
  const index = new Map<string, number>()
  const names: string[] = []
  const counts: number[] = []
  const itemOf = new Int32Array(interactions.length)
  const byUser = new Map<string, number[]>()
  interactions.forEach((interaction, n) => {
    let item = index.get(interaction.itemId)
    if (item === undefined) {
      item = names.length
      index.set(interaction.itemId, item)
      names.push(interaction.itemId)
      counts.push(0)
    }
    counts[item]!++
    itemOf[n] = item
    const list = byUser.get(interaction.userId)
    if (list) list.push(n)
    else byUser.set(interaction.userId, [n])
  })
  const times = Float64Array.from(interactions, (interaction) => interaction.timestamp)
  const pairs = new PairCounts()
  const histories = new Map<string, string[]>()
  for (const [userId, list] of byUser) {
    list.sort((x, y) => times[x]! - times[y]! || itemOf[x]! - itemOf[y]!)
    const items = list.map((n) => itemOf[n]!)
    histories.set(
      userId,
      items.slice(-HISTORY * 5).map((item) => names[item]!)
    )
    for (let i = 0; i < items.length; i++) {
      const a = items[i]!
      for (let j = i + 1; j < Math.min(items.length, i + 1 + WINDOW); j++) {
        const b = items[j]!
        if (a === b) continue
        pairs.add(a, b, j - i, names.length)
        pairs.add(b, a, j - i, names.length)
      }
    }
  }
  const neighbours = new Map<string, Array<[string, number]>>()
  pairs.forEachRow(names.length, (a, row) => {
    const scored = row.map(([b, weight]): [string, number] => [names[b]!, weight / Math.sqrt(counts[a]! * counts[b]!)])
    neighbours.set(names[a]!, scored.sort(byScore).slice(0, NEIGHBOURS))
  })
  const popularity = new Map(names.map((name, i) => [name, counts[i]!]))
  const popular = [...popularity].sort(byScore).map(([item]) => item)
  return { popular, popularity, neighbours, histories }
}

/**
 * Co-occurrences as one number each, (a * items + b) * 16 + distance, in a typed array that is sorted once: equal
 * pairs end up side by side and each item's row is contiguous. Twice as fast as a Map per item at a million
 * interactions (counting was most of CreateSolutionVersion's time), and a tenth of the memory.
 */
class PairCounts {
  private keys = new Float64Array(1 << 20)
  private used = 0

  add(a: number, b: number, distance: number, items: number): void {
    if (this.used === this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2)
      grown.set(this.keys)
      this.keys = grown
    }
    this.keys[this.used++] = (a * items + b) * 16 + distance
  }

  /** Each item with co-occurrences, in item order, with its row: [other item, summed weight 1/distance]. */
  forEachRow(items: number, visit: (a: number, row: Array<[number, number]>) => void): void {
    const sorted = this.keys.subarray(0, this.used).sort()
    let row: Array<[number, number]> = []
    let current = -1
    for (let k = 0; k < sorted.length;) {
      const pair = Math.floor(sorted[k]! / 16)
      let weight = 0
      for (; k < sorted.length && Math.floor(sorted[k]! / 16) === pair; k++) weight += 1 / (sorted[k]! % 16)
      const a = Math.floor(pair / items)
      if (a !== current) {
        if (row.length > 0) visit(current, row)
        current = a
        row = []
      }
      row.push([pair % items, weight])
    }
    if (row.length > 0) visit(current, row)
  }
}

function byScore(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
}

/** Scores for items, best first; popularity fills what the user's history does not reach. */
export function recommendForUser(
  model: Model,
  history: string[],
  count: number,
  exclude = new Set<string>()
): Array<[string, number]> {
  const recent = history.slice(-HISTORY).reverse()
  const scores = new Map<string, number>()
  recent.forEach((item, rank) => {
    const weight = RECENCY ** rank
    // Shoppers come back to what they just looked at (a view, then a click, an add, a purchase of the same item):
    // the items of the recent history count too, as user-personalization's do.
    if (!exclude.has(item)) scores.set(item, (scores.get(item) ?? 0) + weight * REPEAT)
    for (const [other, similarity] of model.neighbours.get(item) ?? []) {
      if (exclude.has(other)) continue
      scores.set(other, (scores.get(other) ?? 0) + weight * similarity)
    }
  })
  const ranked = [...scores].sort(byScore).slice(0, count)
  return fillWithPopular(model, ranked, count, exclude)
}

export function relatedItems(
  model: Model,
  itemId: string,
  count: number,
  exclude = new Set<string>()
): Array<[string, number]> {
  const ranked = (model.neighbours.get(itemId) ?? []).filter(([other]) => !exclude.has(other)).slice(0, count)
  return fillWithPopular(model, ranked, count, new Set([itemId, ...exclude]))
}

export function popularItems(model: Model, count: number, exclude = new Set<string>()): Array<[string, number]> {
  return fillWithPopular(model, [], count, exclude)
}

function fillWithPopular(
  model: Model,
  ranked: Array<[string, number]>,
  count: number,
  exclude: Set<string>
): Array<[string, number]> {
  const taken = new Set(ranked.map(([item]) => item))
  const floor = ranked.length > 0 ? Math.min(...ranked.map(([, s]) => s)) : 1
  const total = model.popular.length > 0 ? model.popularity.get(model.popular[0]!)! : 1
  for (const item of model.popular) {
    if (ranked.length >= count) break
    if (taken.has(item) || exclude.has(item)) continue
    // Popular fill-ins rank below every similarity-based item.
    ranked.push([item, (floor * model.popularity.get(item)!) / (total + 1)])
  }
  return normalise(ranked)
}

/** Scores that sum to 1 over the list, as Personalize's do over its candidates. */
function normalise(ranked: Array<[string, number]>): Array<[string, number]> {
  const sum = ranked.reduce((s, [, score]) => s + score, 0) || 1
  return ranked.map(([item, score]) => [item, Number((score / sum).toFixed(7))])
}
