import { PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime'
import { serveApi } from '../../api/server'
import { apiUsage } from './options'

import { text } from '../values'

type Values = Record<string, string | boolean | string[] | undefined>

export async function runApi(values: Values): Promise<number> {
  const campaignArn = text(values['campaign-arn'])
  const relatedCampaignArn = text(values['related-campaign-arn'])
  if (!campaignArn && !relatedCampaignArn) {
    console.error(`--campaign-arn (or --related-campaign-arn) is required.\n\n${apiUsage}`)
    return 2
  }
  const port = Number(text(values.port) ?? 8080)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number, not "${String(values.port)}"`)
    return 2
  }
  const endpoint = text(values.endpoint)
  const runtime = new PersonalizeRuntimeClient({
    region: text(values.region) ?? process.env.AWS_REGION ?? 'us-west-2',
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {})
  })
  let api: Awaited<ReturnType<typeof serveApi>>
  try {
    api = await serveApi(
      {
        campaignArn,
        relatedCampaignArn,
        catalogue: text(values.catalogue),
        corsOrigin: text(values['cors-origin']),
        runtime
      },
      port,
      text(values.host) ?? '127.0.0.1'
    )
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    console.error(
      code === 'EADDRINUSE' ? `Port ${port} is in use: choose another with --port.` : (error as Error).message
    )
    return 1
  }
  console.log(`recommendations API ready at ${api.url}/recommendations?userId=<id>`)
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve())
  })
  await api.close()
  return 0
}
