import { buildFunction, DEFAULT_OUT } from '../../functions/build'
import { DEFAULT_API_BASE, DeployError, deployFunction, EU_API_BASE } from '../../functions/deploy'
import { FUNCTION_SETTINGS } from '../../functions/settings'
import { functionsUsage } from './options'

type Values = Record<string, string | boolean | string[] | undefined>

const DEFAULT_NAME = 'Amazon Personalize'
const DEFAULT_DESCRIPTION =
  'Sends Segment events to Amazon Personalize (PutEvents, PutUsers, PutItems) and writes its recommendations back to profiles as recommended_products. Built by segment-personalize.'

async function build(values: Values) {
  const built = await buildFunction(typeof values.out === 'string' ? values.out : DEFAULT_OUT)
  console.log(`built ${built.file}: ${(built.bytes / 1024).toFixed(1)} KB, handlers onTrack, onIdentify, onBatch`)
  return built
}

async function deploy(values: Values): Promise<number> {
  const token = process.env.SEGMENT_PUBLIC_API_TOKEN ?? ''
  if (!token.trim()) {
    console.error('Set SEGMENT_PUBLIC_API_TOKEN to a Segment Public API token (Workspace Owner or Functions Admin).')
    return 2
  }
  const built = await build(values)
  const apiBase =
    typeof values['api-base'] === 'string' ? values['api-base'] : values.eu ? EU_API_BASE : DEFAULT_API_BASE
  try {
    const result = await deployFunction({
      code: built.code,
      displayName: typeof values.name === 'string' ? values.name : DEFAULT_NAME,
      description: typeof values.description === 'string' ? values.description : DEFAULT_DESCRIPTION,
      settings: FUNCTION_SETTINGS,
      token,
      apiBase
    })
    for (const step of result.steps) console.log(step)
    return 0
  } catch (error) {
    if (error instanceof DeployError) {
      console.error(error.message)
      return 1
    }
    throw error
  }
}

export async function runFunctions(values: Values, positionals: string[]): Promise<number> {
  const [action, ...extra] = positionals
  if (extra.length > 0 || (action !== 'build' && action !== 'deploy')) {
    console.error(`Say what to do: build or deploy.\n\n${functionsUsage}`)
    return 2
  }
  if (action === 'build') {
    await build(values)
    return 0
  }
  return deploy(values)
}
