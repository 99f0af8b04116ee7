// The command's flags and help, apart from its code, so that the CLI can list them without loading the AWS SDK.
export const apiOptions = {
  'campaign-arn': { type: 'string' as const },
  'related-campaign-arn': { type: 'string' as const },
  catalogue: { type: 'string' as const },
  endpoint: { type: 'string' as const },
  region: { type: 'string' as const },
  port: { type: 'string' as const },
  host: { type: 'string' as const },
  'cors-origin': { type: 'string' as const }
}

export const apiUsage = `segment-personalize api --campaign-arn <arn> [--related-campaign-arn <arn>] [--catalogue <items.csv>]
    [--endpoint <url>] [--region <region>] [--port <port>] [--host <host>] [--cors-origin <origin>]

Serves the recommendations API on HTTP: GET /recommendations?userId=…|itemId=…&numResults=…[&filterArn=…&filterValues=…]
answers the recommended items with their catalogue metadata. The same handler runs on AWS Lambda behind API Gateway
(api/handler.handler, configured by CAMPAIGN_ARN, RELATED_CAMPAIGN_ARN, CATALOGUE_FILE, CORS_ORIGIN). Guide:
docs/backfill.md#the-recommendations-api.

Options:
  --campaign-arn <arn>          the campaign (or recommender) for userId queries
  --related-campaign-arn <arn>  a related-items campaign for itemId queries
  --catalogue <file>            items.csv from the backfill (or a JSON array) for the items' metadata
  --endpoint <url>              Personalize's runtime endpoint (the local stack's URL); else AWS in --region
  --region <region>             AWS region (default: AWS_REGION, else us-west-2)
  --port <port>                 port to listen on (default 8080)
  --host <host>                 address to listen on (default 127.0.0.1)
  --cors-origin <origin>        the allowed browser origin (default *)
  -h, --help                    show this help`
