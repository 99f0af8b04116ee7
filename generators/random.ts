// Deterministic randomness for the generator. Every user, visitor and user-day draws from its own stream, keyed by
// (seed, what, day, index, …), so a day's events depend only on the arguments that describe that day: days can be
// generated in any order, a longer --to leaves earlier days byte-identical, and nothing has to be kept between days.

/** A 32-bit hash of a list of 32-bit integers (murmur3's mixing), with a seed of its own. */
function hash(parts: readonly number[], seed: number): number {
  let h = seed
  for (const part of parts) {
    let k = Math.imul(part | 0, 0xcc9e2d51)
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593)
    h ^= k
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64
  }
  h ^= parts.length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

const HEX_DIGITS = Buffer.from('0123456789abcdef')
const UUID = Buffer.alloc(36)

/**
 * sfc32 (Chris Doty-Humphrey's small fast counting generator, 128 bits of state), with the draws the model needs.
 * A stream's state comes from four differently seeded hashes of its key, so two keys share a stream with
 * probability 2^-128, not 2^-32: a run has millions of streams, and a 32-bit key would give some people the same ids.
 */
export class Random {
  private a: number
  private b: number
  private c: number
  private d: number

  /** The stream for a key of 32-bit integers: (what, seed, day, index, …). */
  constructor(...key: number[]) {
    this.a = hash(key, 0x9e3779b9)
    this.b = hash(key, 0x7f4a7c15)
    this.c = hash(key, 0x94d049bb)
    this.d = hash(key, 0x2545f491)
    for (let n = 0; n < 8; n++) this.bits()
  }

  /** 32 random bits as an unsigned integer. */
  bits(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = ((this.c << 21) | (this.c >>> 11)) + t
    this.c |= 0
    return t >>> 0
  }

  /** A number in [0, 1). */
  float(): number {
    return this.bits() / 4294967296
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.float() * n)
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1)
  }

  chance(p: number): boolean {
    return this.float() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!
  }

  /** An index drawn with probability proportional to its weight, given the running totals of the weights. */
  weighted(cumulative: ArrayLike<number>): number {
    const target = this.float() * cumulative[cumulative.length - 1]!
    let low = 0
    let high = cumulative.length - 1
    while (low < high) {
      const mid = (low + high) >>> 1
      if (cumulative[mid]! > target) high = mid
      else low = mid + 1
    }
    return low
  }

  /** Exponentially distributed, with this mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean
  }

  /** Poisson-distributed count with this mean (Knuth's method; the model's means are small). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean)
    let count = 0
    let product = this.float()
    while (product > limit) {
      count++
      product *= this.float()
    }
    return count
  }

  /** A version-4-shaped UUID from this stream: random-looking, unique in practice, and the same on every run. */
  uuid(): string {
    // Hex digits written into a reused buffer and read back as one flat string: the cheapest way in V8 (no
    // intermediate strings), which matters at one id per message.
    let at = 0
    for (let word = 0; word < 4; word++) {
      let value = this.bits()
      for (let digit = 0; digit < 8; digit++) {
        if (at === 8 || at === 13 || at === 18 || at === 23) UUID[at++] = 0x2d // '-'
        UUID[at++] = HEX_DIGITS[value >>> 28]!
        value = (value << 4) >>> 0
      }
    }
    UUID[14] = 0x34 // version 4
    UUID[19] = HEX_DIGITS[8 + (UUID[19]! % 4)]! // variant 10xx
    return UUID.toString('latin1')
  }
}

/** Running totals of a list of weights, for Random.weighted. */
export function cumulative(weights: readonly number[]): Float64Array {
  const totals = new Float64Array(weights.length)
  let sum = 0
  weights.forEach((weight, n) => (totals[n] = sum += weight))
  return totals
}
