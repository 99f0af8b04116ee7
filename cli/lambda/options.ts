// The command's flags and help, apart from its code, so that the CLI can list them without loading the AWS SDK.
const text = { type: 'string' as const }

export const lambdaOptions = {
  out: text,
  name: text,
  region: text,
  destination: text,
  'external-id': text,
  'tracking-id': text,
  'campaign-arn': text,
  'recommender-arn': text,
  'users-dataset-arn': text,
  'items-dataset-arn': text,
  'segment-write-key': text,
  'segment-region': text,
  'dry-run': { type: 'boolean' as const }
}

export const lambdaUsage = `segment-personalize lambda build [--out <zip>]
segment-personalize lambda deploy --external-id <id> [--destination <file>] [--tracking-id <id> …] [--name <name>] [--region <region>] [--dry-run]
segment-personalize lambda teardown [--name <name>] [--region <region>]

The function Segment's classic "Amazon Personalize" destination invokes for each call (it invokes a Lambda of yours):
the destination's presets, mapping, limits, error table and round-trip, built from the same code as the Actions
destination and the Destination Function. Guide: docs/lambda.md.

  build      writes the zip (default dist/lambda/personalize.zip; index.handler, Node.js 20 or later) and prints its size
  deploy     builds, then creates or updates, by name, with your AWS credentials (the AWS CLI's chain): the function's
             execution role (PutEvents, and GetRecommendations, PutUsers, PutItems only for what is configured), the
             function, and the role Segment assumes to invoke it (trusting Segment's account 595280932656 with your
             external ID); prints the destination settings to paste. A function or role of that name that it did not
             make is never changed.
  teardown   deletes what deploy made (and only that)

Options:
  --external-id <id>        the external ID Segment uses: your Segment source ID (the default) or the workspace ID
  --destination <file>      the destination settings as JSON (provision --json writes them): Tracking ID, Campaign
                            or Recommender ARN, dataset ARNs, Segment write key and region
  --tracking-id, --campaign-arn, --recommender-arn, --users-dataset-arn, --items-dataset-arn, --segment-write-key,
  --segment-region <value>  each setting, over the file's
  --name <name>             the function's name (default segment-personalize); roles <name>-execution and
                            <name>-segment-invoke
  --region <region>         the AWS region of Personalize and the function (default: the settings', else us-west-2)
  --dry-run                 print the calls and policies deploy would make, and make none
  --out <zip>               where the zip is written (default dist/lambda/personalize.zip)
  -h, --help                show this help`
