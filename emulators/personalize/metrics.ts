// Offline metrics, as GetSolutionMetrics and a recommender's modelMetrics report them: Personalize holds out the most
// recent interactions of a share of the users, trains on the rest, and scores the recommendations for those users
// against what they did next (https://docs.aws.amazon.com/personalize/latest/dg/working-with-training-metrics.html).
// Here: every tenth user with two or more interactions (chosen by a hash of the user ID, so the same data always gives
// the same split) keeps their latest 10% (at least one) aside; the metric names are AWS's.
import { createHash } from 'node:crypto'
import { popularItems, recommendForUser, relatedItems, train, type Interaction, type Model } from './model'
import type { Serving } from './recipes'

export type Metrics = Record<string, number>

const K = 25
const TEST_SHARE = 0.1

/** The recommendations a recipe of this kind makes for a user whose history (oldest first) is `history`. */
export function recommendFor(serving: Serving, model: Model, history: string[], count: number): string[] {
  const items =
    serving === 'popular'
      ? popularItems(model, count)
      : serving === 'related'
        ? relatedItems(model, history.at(-1) ?? '', count)
        : recommendForUser(model, history, count)
  return items.map(([item]) => item)
}

const hashOf = (id: string) => createHash('sha1').update(id).digest().readUInt32BE(0)

function ndcg(recommended: string[], relevant: Set<string>, k: number): number {
  let dcg = 0
  recommended.slice(0, k).forEach((item, i) => {
    if (relevant.has(item)) dcg += 1 / Math.log2(i + 2)
  })
  let ideal = 0
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2)
  return ideal === 0 ? 0 : dcg / ideal
}

const round = (value: number) => Number(value.toFixed(4))

/**
 * The metrics of a recipe on these interactions, computed on the first ask and kept: scoring trains a second model
 * on the held-out split, which doubled CreateSolutionVersion's time and peak memory when done at once (1.2 M
 * interactions: 17.8 s → 58 s, docs/performance.md), for metrics most callers never read.
 */
export function metricsWhenAsked(interactions: Interaction[], serving: Serving): () => Metrics {
  let data: Interaction[] | undefined = interactions
  let metrics: Metrics | undefined
  return () => {
    if (!metrics) {
      metrics = evaluate(data!, serving)
      data = undefined
    }
    return metrics
  }
}

/** The metrics of a recipe on these interactions. */
export function evaluate(interactions: Interaction[], serving: Serving): Metrics {
  const byUser = new Map<string, Interaction[]>()
  for (const interaction of interactions) {
    const list = byUser.get(interaction.userId)
    if (list) list.push(interaction)
    else byUser.set(interaction.userId, [interaction])
  }
  const eligible = [...byUser.keys()].filter((user) => byUser.get(user)!.length >= 2)
  const testUsers = eligible
    .sort((a, b) => hashOf(a) - hashOf(b) || (a < b ? -1 : 1))
    .slice(0, Math.ceil(eligible.length * TEST_SHARE))
  const heldOut = new Map<string, { history: string[]; relevant: Set<string> }>()
  const held = new Set<Interaction>()
  for (const user of testUsers) {
    const list = [...byUser.get(user)!].sort((a, b) => a.timestamp - b.timestamp)
    const keep = Math.max(1, Math.floor(list.length * TEST_SHARE))
    const later = list.slice(-keep)
    for (const interaction of later) held.add(interaction)
    heldOut.set(user, {
      history: list.slice(0, -keep).map((i) => i.itemId),
      relevant: new Set(later.map((i) => i.itemId))
    })
  }
  const training = interactions.filter((interaction) => !held.has(interaction))
  const model = train(training)
  const sums = { precision5: 0, precision10: 0, precision25: 0, ndcg5: 0, ndcg10: 0, ndcg25: 0, mrr: 0 }
  const recommendedAtAll = new Set<string>()
  for (const { history, relevant } of heldOut.values()) {
    const recommended = recommendFor(serving, model, history, K)
    for (const item of recommended) recommendedAtAll.add(item)
    const hits = (k: number) => recommended.slice(0, k).filter((item) => relevant.has(item)).length
    sums.precision5 += hits(5) / 5
    sums.precision10 += hits(10) / 10
    sums.precision25 += hits(25) / 25
    sums.ndcg5 += ndcg(recommended, relevant, 5)
    sums.ndcg10 += ndcg(recommended, relevant, 10)
    sums.ndcg25 += ndcg(recommended, relevant, 25)
    const first = recommended.findIndex((item) => relevant.has(item))
    sums.mrr += first >= 0 ? 1 / (first + 1) : 0
  }
  const users = heldOut.size || 1
  return {
    coverage: round(recommendedAtAll.size / (model.popular.length || 1)),
    mean_reciprocal_rank_at_25: round(sums.mrr / users),
    normalized_discounted_cumulative_gain_at_5: round(sums.ndcg5 / users),
    normalized_discounted_cumulative_gain_at_10: round(sums.ndcg10 / users),
    normalized_discounted_cumulative_gain_at_25: round(sums.ndcg25 / users),
    precision_at_5: round(sums.precision5 / users),
    precision_at_10: round(sums.precision10 / users),
    precision_at_25: round(sums.precision25 / users)
  }
}
