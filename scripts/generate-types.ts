// Writes generated-types.ts for the destination (Settings) and each action (Payload), as Segment's unpublished
// `./bin/run generate:types` does (packages/cli/src/commands/generate/types.ts in segmentio/action-destinations).
// `--check` writes nothing and exits 1 when a file is stale; `npm test` runs it.
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import path from 'node:path'
import { fieldsToJsonSchema, type InputField, type GlobalSetting } from '@segment/actions-core'
import { compile, type JSONSchema } from 'json-schema-to-typescript'
import destination from '../destination'

const root = path.resolve(__dirname, '../destination')
const BANNER = '// Generated file. DO NOT MODIFY IT BY HAND.'

// The CLI strips `title` (json-schema-to-typescript would name types after it) and `enum` (choices stay strings).
function stripTitlesAndEnums(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(stripTitlesAndEnums)
  if (!schema || typeof schema !== 'object') return schema
  const entries = Object.entries(schema).filter(([key]) => key !== 'title' && key !== 'enum')
  return Object.fromEntries(entries.map(([key, value]) => [key, stripTitlesAndEnums(value)]))
}

export async function compileFields(fields: Record<string, InputField | GlobalSetting>, name: string): Promise<string> {
  const schema = stripTitlesAndEnums(fieldsToJsonSchema(fields, { tsType: true }))
  return compile(schema as JSONSchema, name, {
    bannerComment: BANNER,
    format: true,
    style: { semi: false, singleQuote: true, printWidth: 120, trailingComma: 'none' }
  })
}

export async function generatedFiles(): Promise<Array<{ file: string; content: string }>> {
  const files = [
    {
      file: path.join(root, 'generated-types.ts'),
      content: await compileFields(destination.authentication?.fields ?? {}, 'Settings')
    }
  ]
  for (const [slug, action] of Object.entries(destination.actions)) {
    files.push({
      file: path.join(root, slug, 'generated-types.ts'),
      content: await compileFields(action.fields, 'Payload')
    })
  }
  return files
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check')
  const stale: string[] = []
  for (const { file, content } of await generatedFiles()) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined
    if (current === content) continue
    stale.push(path.relative(process.cwd(), file))
    if (!check) writeFileSync(file, content)
  }
  if (check && stale.length > 0) {
    console.error(`Stale generated types: ${stale.join(', ')}. Run \`npm run types\` and commit the result.`)
    process.exit(1)
  }
  console.log(stale.length === 0 ? 'Generated types are up to date.' : `Wrote ${stale.join(', ')}`)
}

if (require.main === module) void main()
