// The product catalogue: by default the workshop's 50 SKUs (its generator drew from these slugs, so its dataset's
// ITEM_IDs are them), given the names, categories, brands and prices the workshop never had; larger catalogues add
// made-up products in the same categories. Popularity is skewed, as in every real shop: a few products get most views.
import { cumulative, Random } from './random'

export interface Product {
  /** E-commerce spec `product_id`; equal to `sku` here, as the spec allows, so both shapes name the same item. */
  product_id: string
  sku: string
  name: string
  category: string
  brand: string
  price: number
  url: string
  image_url: string
}

export const PRICE_LEVELS = ['budget', 'mid', 'premium'] as const
export type PriceLevel = (typeof PRICE_LEVELS)[number]

export function priceLevel(price: number): PriceLevel {
  return price < 50 ? 'budget' : price < 100 ? 'mid' : 'premium'
}

// [sku, name, category, brand, price in USD]
const WORKSHOP_SKUS: ReadonlyArray<readonly [string, string, string, string, number]> = [
  ['adidas-classic-backpack', 'Adidas Classic Backpack', 'Bags', 'Adidas', 45],
  ['adidas-classic-backpack-legend-ink-multicolour', 'Adidas Classic Backpack Legend Ink', 'Bags', 'Adidas', 50],
  ['adidas-kids-stan-smith', 'Adidas Kids Stan Smith', 'Shoes', 'Adidas', 55],
  ['adidas-superstar-80s', 'Adidas Superstar 80s', 'Shoes', 'Adidas', 90],
  ['asics-tiger-gel-lyte-v-30-years-of-gel-pack', 'Asics Tiger Gel-Lyte V 30 Years of Gel', 'Shoes', 'Asics', 120],
  ['black-leather-bag', 'Black Leather Bag', 'Bags', 'Segment Basics', 130],
  ['blue-silk-tuxedo', 'Blue Silk Tuxedo', 'Jackets', 'Segment Basics', 240],
  ['chequered-red-shirt', 'Chequered Red Shirt', 'Tops', 'Segment Basics', 35],
  ['classic-leather-jacket', 'Classic Leather Jacket', 'Jackets', 'Segment Basics', 220],
  ['classic-varsity-top', 'Classic Varsity Top', 'Tops', 'Segment Basics', 45],
  ['converse-chuck-taylor-all-star-ii-hi', 'Converse Chuck Taylor All Star II Hi', 'Shoes', 'Converse', 75],
  ['converse-chuck-taylor-all-star-lo', 'Converse Chuck Taylor All Star Lo', 'Shoes', 'Converse', 55],
  [
    'converse-toddler-chuck-taylor-all-star-axel-mid',
    'Converse Toddler Chuck Taylor Axel Mid',
    'Shoes',
    'Converse',
    35
  ],
  ['dark-denim-top', 'Dark Denim Top', 'Tops', 'Segment Basics', 40],
  ['dr-martens-1460z-dmc-8-eye-boot-cherry-smooth', 'Dr. Martens 1460Z 8-Eye Boot Cherry', 'Shoes', 'Dr. Martens', 150],
  ['dr-martens-1461-dmc-3-eye-shoe-black-smooth', 'Dr. Martens 1461 3-Eye Shoe Black', 'Shoes', 'Dr. Martens', 130],
  ['dr-martens-cavendish-3-eye-shoe-black', 'Dr. Martens Cavendish 3-Eye Shoe Black', 'Shoes', 'Dr. Martens', 140],
  ['flex-fit-mini-ottoman-black', 'Flexfit Mini Ottoman Cap Black', 'Accessories', 'Flexfit', 20],
  ['floral-white-top', 'Floral White Top', 'Tops', 'Segment Basics', 38],
  ['herschel-iona', 'Herschel Iona Backpack', 'Bags', 'Herschel', 70],
  ['led-high-tops', 'LED High Tops', 'Shoes', 'Segment Basics', 80],
  ['longsleeve-cotton-top', 'Longsleeve Cotton Top', 'Tops', 'Segment Basics', 30],
  ['navy-sport-jacket', 'Navy Sport Jacket', 'Jackets', 'Segment Basics', 110],
  ['nike-crackle-print-tb-tee', 'Nike Crackle Print Tee', 'Tops', 'Nike', 30],
  ['nike-swoosh-pro-flat-peak-cap', 'Nike Swoosh Pro Flat Peak Cap', 'Accessories', 'Nike', 28],
  ['nike-toddler-roshe-one', 'Nike Toddler Roshe One', 'Shoes', 'Nike', 45],
  ['ocean-blue-shirt', 'Ocean Blue Shirt', 'Tops', 'Segment Basics', 42],
  ['olive-green-jacket', 'Olive Green Jacket', 'Jackets', 'Segment Basics', 95],
  ['palladium-pallatech-hi-tx-chevron', 'Palladium Pallatech Hi TX Chevron', 'Shoes', 'Palladium', 110],
  ['puma-suede-classic-regal', 'Puma Suede Classic Regal', 'Shoes', 'Puma', 65],
  ['red-sports-tee', 'Red Sports Tee', 'Tops', 'Segment Basics', 25],
  ['silk-summer-top', 'Silk Summer Top', 'Tops', 'Segment Basics', 60],
  ['dark-winter-jacket', 'Dark Winter Jacket', 'Jackets', 'Segment Basics', 180],
  ['striped-silk-blouse', 'Striped Silk Blouse', 'Tops', 'Segment Basics', 65],
  ['striped-skirt-and-top', 'Striped Skirt and Top', 'Tops', 'Segment Basics', 70],
  ['supra-mens-vaider', "Supra Men's Vaider", 'Shoes', 'Supra', 85],
  ['timberland-mens-6-inch-premium-boot', "Timberland Men's 6-Inch Premium Boot", 'Shoes', 'Timberland', 200],
  [
    'vans-apparel-and-accessories-classic-super-no-show-socks-3-pack-white',
    'Vans Classic Super No Show Socks 3-Pack White',
    'Accessories',
    'Vans',
    14
  ],
  ['vans-era-59-moroccan-geo-dress-blues', 'Vans Era 59 Moroccan Geo Dress Blues', 'Shoes', 'Vans', 65],
  ['vans-authentic-butterfly-true-white-black', 'Vans Authentic Butterfly True White', 'Shoes', 'Vans', 60],
  ['vans-authentic-multi-eyelets-gradient-crimson', 'Vans Authentic Multi Eyelets Crimson', 'Shoes', 'Vans', 60],
  ['vans-classic-slip-on-perforated-suede', 'Vans Classic Slip-On Perforated Suede', 'Shoes', 'Vans', 55],
  ['vans-era-59-desert-cowboy', 'Vans Era 59 Desert Cowboy', 'Shoes', 'Vans', 65],
  ['vans-old-skool-butterfly-true-white-black', 'Vans Old Skool Butterfly True White', 'Shoes', 'Vans', 70],
  ['vans-sh-8-hi', 'Vans SK8-Hi', 'Shoes', 'Vans', 70],
  ['vans-sk8-hi-decon-cutout-leaves-white', 'Vans SK8-Hi Decon Cutout Leaves White', 'Shoes', 'Vans', 75],
  ['vans-authentic-lo-pro-burgandy-white', 'Vans Authentic Lo Pro Burgundy White', 'Shoes', 'Vans', 55],
  ['white-cotton-shirt', 'White Cotton Shirt', 'Tops', 'Segment Basics', 30],
  ['yellow-wool-jumper', 'Yellow Wool Jumper', 'Tops', 'Segment Basics', 75],
  ['zipped-jacket', 'Zipped Jacket', 'Jackets', 'Segment Basics', 85]
]

export const WORKSHOP_SIZE = WORKSHOP_SKUS.length

const SHOP_URL = 'https://shop.example.com'

function product(sku: string, name: string, category: string, brand: string, price: number): Product {
  return {
    product_id: sku,
    sku,
    name,
    category,
    brand,
    price,
    url: `${SHOP_URL}/products/${sku}`,
    image_url: `${SHOP_URL}/images/${sku}.jpg`
  }
}

const BRANDS = [...new Set(WORKSHOP_SKUS.map(([, , , brand]) => brand))]

// Made-up products for catalogues larger than the workshop's: the same categories and brands, new styles.
const STYLES = ['Classic', 'Urban', 'Trail', 'Retro', 'Studio', 'Coastal', 'Alpine', 'Metro', 'Vintage', 'Summit']
const COLOURS = ['Black', 'White', 'Navy', 'Olive', 'Crimson', 'Sand', 'Grey', 'Teal', 'Rust', 'Ivory']
const KINDS: Record<string, { nouns: string[]; prices: [number, number] }> = {
  Shoes: { nouns: ['Sneaker', 'Boot', 'Runner', 'Slip-On', 'High Top'], prices: [35, 220] },
  Tops: { nouns: ['Tee', 'Shirt', 'Blouse', 'Jumper', 'Hoodie'], prices: [15, 90] },
  Jackets: { nouns: ['Jacket', 'Parka', 'Blazer', 'Bomber', 'Coat'], prices: [60, 300] },
  Bags: { nouns: ['Backpack', 'Tote', 'Duffel', 'Messenger Bag', 'Sling'], prices: [25, 180] },
  Accessories: { nouns: ['Cap', 'Beanie', 'Scarf', 'Socks', 'Belt'], prices: [8, 60] }
}

function madeUpProduct(n: number, random: Random): Product {
  const category = random.pick(Object.keys(KINDS))
  const { nouns, prices } = KINDS[category]!
  const brand = random.pick(BRANDS)
  const name = `${brand === 'Segment Basics' ? '' : `${brand} `}${random.pick(STYLES)} ${random.pick(COLOURS)} ${random.pick(nouns)}`
  const sku = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${n}`
  const price = Math.round(prices[0] + (prices[1] - prices[0]) * random.float() ** 1.5) - 0.01
  return product(sku, name, category, brand, Math.max(price, 4.99))
}

export interface Catalogue {
  products: Product[]
  categories: string[]
  brands: string[]
  /** Running totals of each product's popularity, for Random.weighted. */
  popularity: Float64Array
  /** Per category and per brand: its products (indexes into `products`) and their running popularity totals. */
  byCategory: Map<string, Shelf>
  byBrand: Map<string, Shelf>
}

export interface Shelf {
  products: number[]
  popularity: Float64Array
}

// Popularity follows Zipf's law over a seeded ranking: the most popular product is viewed about 20× as often as the
// least popular of the default 50.
const ZIPF_EXPONENT = 0.8

export function makeCatalogue(size: number, seed: number): Catalogue {
  const random = new Random(seed, 0xca7a)
  const products = WORKSHOP_SKUS.slice(0, size).map((row) => product(...row))
  for (let n = products.length; n < size; n++) products.push(madeUpProduct(n, random))
  const ranks = products.map((_, n) => n)
  for (let n = ranks.length - 1; n > 0; n--) {
    const other = random.below(n + 1)
    ;[ranks[n], ranks[other]] = [ranks[other]!, ranks[n]!]
  }
  const weights = ranks.map((rank) => 1 / (rank + 1) ** ZIPF_EXPONENT)
  const shelves = (key: (p: Product) => string): Map<string, Shelf> => {
    const groups = new Map<string, number[]>()
    products.forEach((p, n) => {
      const members = groups.get(key(p))
      if (members) members.push(n)
      else groups.set(key(p), [n])
    })
    return new Map(
      [...groups].map(([name, members]) => [
        name,
        { products: members, popularity: cumulative(members.map((n) => weights[n]!)) }
      ])
    )
  }
  const byCategory = shelves((p) => p.category)
  const byBrand = shelves((p) => p.brand)
  return {
    products,
    categories: [...byCategory.keys()].sort(),
    brands: [...byBrand.keys()].sort(),
    popularity: cumulative(weights),
    byCategory,
    byBrand
  }
}
