// `segment-personalize lambda build`: the function as Lambda runs it, one zip with `index.js` exporting `handler`
// (handler setting `index.handler`), bundled by esbuild from lambda/handler.ts and the modules it shares with the
// destination and the Destination Function. Node 20 syntax, so it runs on every Node.js runtime Lambda supports.
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-package.html
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import AdmZip from 'adm-zip'
import { build } from 'esbuild'

export const DEFAULT_OUT = path.join('dist', 'lambda', 'personalize.zip')

/** Built from the TypeScript sources (tsx, jest) or from the compiled package (dist), whichever this file is. */
const extension = path.extname(__filename)

export interface BuiltLambda {
  file: string
  /** The zip's bytes. */
  zip: Buffer
  /** index.js, as in the zip. */
  code: string
}

export async function buildLambda(outFile = DEFAULT_OUT): Promise<BuiltLambda> {
  const result = await build({
    entryPoints: [path.join(__dirname, `handler${extension}`)],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    banner: { js: '// Amazon Personalize for Segment, built by segment-personalize lambda build.' }
  })
  const code = result.outputFiles[0]!.text
  const archive = new AdmZip()
  archive.addFile('index.js', Buffer.from(code))
  const zip = archive.toBuffer()
  await mkdir(path.dirname(outFile), { recursive: true })
  await writeFile(outFile, zip)
  return { file: outFile, zip, code }
}
