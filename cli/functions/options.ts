// The command's flags and help, apart from its code, so that the CLI can list them without loading esbuild.
export const functionsOptions = {
  out: { type: 'string' as const },
  name: { type: 'string' as const },
  description: { type: 'string' as const },
  'api-base': { type: 'string' as const },
  eu: { type: 'boolean' as const }
}

export const functionsUsage = `segment-personalize functions build [--out <file>]
segment-personalize functions deploy [--name <name>] [--eu | --api-base <url>] [--out <file>]

The Amazon Personalize destination as a Segment Destination Function: the same presets, mapping, limits and error
table as the Actions destination, in one self-contained script (onTrack, onIdentify, onBatch). Guide:
docs/functions.md.

  build                 writes the script (default dist/functions/personalize.js) and prints its size
  deploy                builds, then creates the function in your workspace (or updates the one with the same
                        name) through Segment's Public API, with its settings, and deploys it. The token comes from
                        SEGMENT_PUBLIC_API_TOKEN (Workspace Owner or Functions Admin).

Options:
  --out <file>          where the script is written (default dist/functions/personalize.js)
  --name <name>         the function's display name in Segment (default "Amazon Personalize")
  --description <text>  the function's description
  --eu                  the workspace is in the EU (https://eu1.api.segmentapis.com)
  --api-base <url>      another Public API base URL
  -h, --help            show this help`
