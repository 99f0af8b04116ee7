// The preferences are real: a simple recommender (the local Personalize's item-kNN) trained on generated history
// predicts what users look at on later, held-out days better than recommending what is popular.
import { popularItems, recommendForUser, train, type Interaction } from '../../emulators/personalize/model'
import { DAY_MS } from '../calendar'
import { FROM, messagesOf, testOptions } from './fixtures'

const DAYS = 28
const HELD_OUT = 7
const messages = messagesOf(testOptions({ usersPerDay: 150 }), DAYS)

function interactions(): Interaction[] {
  return messages.flatMap((message) => {
    if (!message.userId || !message.event?.startsWith('Product')) return []
    return [
      {
        userId: message.userId,
        itemId: message.properties!.product_id as string,
        timestamp: Date.parse(message.timestamp) / 1000,
        eventType: message.event
      }
    ]
  })
}

test('item-kNN trained on history beats popularity on held-out days', () => {
  const split = ((FROM + DAYS - HELD_OUT) * DAY_MS) / 1000
  const all = interactions()
  const training = all.filter((interaction) => interaction.timestamp < split)
  const model = train(training)
  const histories = new Map<string, string[]>()
  for (const interaction of training.sort((a, b) => a.timestamp - b.timestamp))
    histories.set(interaction.userId, [...(histories.get(interaction.userId) ?? []), interaction.itemId])
  const future = new Map<string, Set<string>>()
  for (const interaction of all.filter((i) => i.timestamp >= split && histories.has(i.userId)))
    future.set(interaction.userId, (future.get(interaction.userId) ?? new Set()).add(interaction.itemId))
  expect(future.size).toBeGreaterThan(200)

  const popular = popularItems(model, 10).map(([item]) => item)
  let personalHits = 0
  let popularHits = 0
  for (const [userId, items] of future) {
    const recommended = recommendForUser(model, histories.get(userId)!, 10).map(([item]) => item)
    personalHits += recommended.filter((item) => items.has(item)).length / items.size
    popularHits += popular.filter((item) => items.has(item)).length / items.size
  }
  // Recall@10, averaged over users: about 1.3× popularity's with the default model; without the users' tastes
  // (everyone drawing from overall popularity) it is 0.97×, and this fails.
  const personal = personalHits / future.size
  const popularity = popularHits / future.size
  expect(personal).toBeGreaterThan(popularity * 1.2)
})

test('a user’s Favorite Departments trait is where they shop', () => {
  const favourites = new Map<string, string[]>()
  for (const message of messages)
    if (message.type === 'identify')
      favourites.set(message.userId!, String(message.traits!['Favorite Departments']).split(', '))
  const views = new Map<string, Map<string, number>>()
  for (const message of messages) {
    if (message.event !== 'Product Viewed' || !message.userId) continue
    const counts = views.get(message.userId) ?? new Map<string, number>()
    const category = message.properties!.category as string
    views.set(message.userId, counts.set(category, (counts.get(category) ?? 0) + 1))
  }
  const active = [...views].filter(([, counts]) => [...counts.values()].reduce((a, b) => a + b, 0) >= 10)
  expect(active.length).toBeGreaterThan(50)
  const matching = active.filter(([userId, counts]) => {
    const top = [...counts].sort((a, b) => b[1] - a[1])[0]![0]
    return favourites.get(userId)!.includes(top)
  })
  expect(matching.length / active.length).toBeGreaterThan(0.7)
})
