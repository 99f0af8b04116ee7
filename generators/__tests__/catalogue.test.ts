import { makeCatalogue, priceLevel, WORKSHOP_SIZE } from '../catalogue'

test('the default catalogue is the workshop’s 50 SKUs, with names, categories, brands and prices', () => {
  const { products, categories } = makeCatalogue(WORKSHOP_SIZE, 1)
  expect(products).toHaveLength(50)
  expect(new Set(products.map((p) => p.sku)).size).toBe(50)
  for (const product of products) {
    expect(product.product_id).toBe(product.sku)
    expect(product.name.length).toBeGreaterThan(3)
    expect(product.price).toBeGreaterThan(0)
    expect(categories).toContain(product.category)
  }
  expect(categories).toEqual(['Accessories', 'Bags', 'Jackets', 'Shoes', 'Tops'])
  expect(new Set(products.map((p) => priceLevel(p.price)))).toEqual(new Set(['budget', 'mid', 'premium']))
})

test('a larger catalogue adds made-up products with unique ids, the same for the same seed', () => {
  const big = makeCatalogue(2000, 3)
  expect(big.products).toHaveLength(2000)
  expect(new Set(big.products.map((p) => p.product_id)).size).toBe(2000)
  expect(big.products.slice(0, 50)).toEqual(makeCatalogue(50, 3).products)
  expect(makeCatalogue(2000, 3).products).toEqual(big.products)
  expect(big.products.every((p) => p.price > 0 && /^[a-z0-9-]+$/.test(p.sku))).toBe(true)
})

test('a smaller catalogue takes the first SKUs', () => {
  expect(makeCatalogue(10, 1).products.map((p) => p.sku)).toEqual(
    makeCatalogue(50, 1)
      .products.slice(0, 10)
      .map((p) => p.sku)
  )
})

test('popularity is Zipf-shaped over a seeded ranking', () => {
  const { popularity } = makeCatalogue(50, 1)
  const weights = Array.from(popularity, (total, n) => total - (n > 0 ? popularity[n - 1]! : 0))
  const sorted = [...weights].sort((a, b) => b - a)
  expect(sorted[0]! / sorted[49]!).toBeGreaterThan(15)
  expect(makeCatalogue(50, 2).popularity).not.toEqual(popularity)
})
