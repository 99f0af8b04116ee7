// The item metadata the recommendations API returns with each item: from the backfill's items.csv (ITEM_ID, NAME,
// CATEGORY, BRAND, PRICE, and any other columns), or a JSON array of objects with an `id` or `product_id`.
import { readFile } from 'node:fs/promises'
import { csvFields } from '../common/csv'

export type Item = Record<string, string | number>

const camel = (column: string) => column.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

function fromCsv(text: string): Map<string, Item> {
  const [header, ...rows] = text.split(/\r?\n/).filter((row) => row !== '')
  const columns = csvFields(header ?? '').map(camel)
  const items = new Map<string, Item>()
  for (const row of rows) {
    const values = csvFields(row)
    const item: Item = {}
    columns.forEach((column, i) => {
      const value = values[i] ?? ''
      if (value === '' || column === 'itemId') return
      item[column] = column === 'price' && !Number.isNaN(Number(value)) ? Number(value) : value
    })
    items.set(values[columns.indexOf('itemId')] ?? '', item)
  }
  return items
}

function fromJson(text: string): Map<string, Item> {
  const list = JSON.parse(text) as Array<Record<string, string | number>>
  return new Map(list.map(({ id, product_id, ...rest }) => [String(product_id ?? id), rest]))
}

export async function loadCatalogue(file: string): Promise<Map<string, Item>> {
  const text = await readFile(file, 'utf8')
  return file.endsWith('.json') ? fromJson(text) : fromCsv(text)
}
