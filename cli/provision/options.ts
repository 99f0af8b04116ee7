// The commands' flags and help, apart from their code, so that the CLI can list them without loading the AWS SDK.
export const provisionOptions = {
  name: { type: 'string' as const },
  interactions: { type: 'string' as const },
  users: { type: 'string' as const },
  items: { type: 'string' as const },
  bucket: { type: 'string' as const },
  'role-arn': { type: 'string' as const },
  region: { type: 'string' as const },
  endpoint: { type: 'string' as const },
  domain: { type: 'string' as const },
  json: { type: 'boolean' as const }
}

export const provisionUsage = `segment-personalize provision --name <name> --interactions <csv> [--users <csv>] [--items <csv>]
    [--bucket <s3 bucket> --role-arn <arn>] [--region <region>] [--endpoint <url>] [--domain ecommerce] [--json]

Creates, or finds by name and reuses, everything the workshop clicked through: dataset group <name>, schemas and
datasets for each CSV (the backfill's, with its *-schema.json files beside them), import jobs, a solution
(aws-user-personalization), a trained solution version, a campaign and an event tracker. Waits for each (training
takes a while on AWS), reports Personalize's failureReason when something fails, and prints the destination settings
to paste into Segment. Guide: docs/backfill.md#provision.

Options:
  --name <name>           the dataset group's name; the other resources are named after it
  --interactions <csv>    the interactions CSV (required)
  --users <csv>           a users CSV, with users-schema.json beside it
  --items <csv>           an items CSV, with items-schema.json beside it
  --bucket <bucket>       against AWS: the S3 bucket the CSVs are uploaded to (under <name>/)
  --role-arn <arn>        against AWS: the IAM role Personalize reads that bucket with
  --region <region>       AWS region (default: AWS_REGION, else us-west-2)
  --endpoint <url>        the local stack's URL (segment-personalize local): CSVs are read from disk there
  --domain ecommerce      a Domain dataset group with ECOMMERCE recommenders (Recommended for you, Customers who
                          viewed X also viewed, Frequently bought together, Best sellers, Most viewed) instead of a
                          custom solution and campaign; event names map to View and Purchase
  --json                  print the settings as JSON
  -h, --help              show this help

Credentials come from the AWS SDK's standard chain (environment, profile, SSO, instance role).`

export const teardownOptions = {
  name: { type: 'string' as const },
  region: { type: 'string' as const },
  endpoint: { type: 'string' as const }
}

export const teardownUsage = `segment-personalize teardown --name <name> [--region <region>] [--endpoint <url>]

Deletes what provision created under <name>, in dependency order: campaigns, event trackers, solutions and their
versions, datasets, the dataset group, the schemas. Waits for each deletion before the next.`
