// `segment-personalize functions build`: the Destination Function as the one self-contained script Segment's
// Functions runtime runs (no imports, top-level handler declarations), bundled by esbuild from the same modules as the
// Actions destination, with SigV4 on the runtime's `crypto` (functions/sign.ts in place of
// destination/personalize/sign.ts). Segment documents that Functions run on Node.js 14
// (https://segment.com/docs/connections/functions/#runtime), so the syntax is lowered to what Node 14 parses; APIs
// newer than Node 14 are not used (esbuild cannot lower those), which a test checks on the output.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { build, type Plugin } from 'esbuild'

export const DEFAULT_OUT = path.join('dist', 'functions', 'personalize.js')

// The handlers Segment looks for. They must be function declarations (the runtime wraps the script in a function
// whose parameters have these names, so `const onTrack` would be a SyntaxError there).
const HANDLERS = `
async function onTrack(event, settings) {
  return __personalize.onTrack(event, settings)
}
async function onIdentify(event, settings) {
  return __personalize.onIdentify(event, settings)
}
async function onBatch(events, settings) {
  return __personalize.onBatch(events, settings)
}
async function onPage(event, settings) {
  return __personalize.unsupported('page')()
}
async function onScreen(event, settings) {
  return __personalize.unsupported('screen')()
}
async function onGroup(event, settings) {
  return __personalize.unsupported('group')()
}
async function onAlias(event, settings) {
  return __personalize.unsupported('alias')()
}
async function onDelete(event, settings) {
  return __personalize.unsupported('delete')()
}
`

/** Built from the TypeScript sources (tsx, jest) or from the compiled package (dist), whichever this file is. */
const extension = path.extname(__filename)

// destination/personalize/sign.ts (aws4, which requires node:crypto) → functions/sign.ts (the runtime's `crypto`).
const runtimeSigning: Plugin = {
  name: 'runtime-signing',
  setup(bundler) {
    bundler.onResolve({ filter: /^\.\/sign$/ }, (args) =>
      args.importer.includes(`${path.sep}destination${path.sep}personalize${path.sep}`)
        ? { path: path.join(__dirname, `sign${extension}`) }
        : undefined
    )
  }
}

/** The oldest Node the function must run on: the one Segment's docs name. */
export const NODE_TARGET = 'node14'

export interface Built {
  file: string
  bytes: number
  code: string
}

export async function buildFunction(outFile = DEFAULT_OUT, options: { minify?: boolean } = {}): Promise<Built> {
  const result = await build({
    entryPoints: [path.join(__dirname, `entry${extension}`)],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__personalize',
    platform: 'neutral',
    mainFields: ['main', 'module'],
    target: NODE_TARGET,
    minify: options.minify ?? true,
    legalComments: 'none',
    plugins: [runtimeSigning],
    banner: { js: '// Amazon Personalize destination function, built by segment-personalize functions build.' },
    footer: { js: HANDLERS }
  })
  const code = result.outputFiles[0]!.text
  await mkdir(path.dirname(outFile), { recursive: true })
  await writeFile(outFile, code)
  return { file: outFile, bytes: Buffer.byteLength(code), code }
}
