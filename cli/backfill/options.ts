// The command's flags and help, apart from its code, so that the CLI can list them without loading DuckDB.
export const backfillOptions = {
  input: { type: 'string' as const },
  out: { type: 'string' as const },
  events: { type: 'string' as const },
  anonymous: { type: 'string' as const },
  json: { type: 'boolean' as const },
  'verify-gzip': { type: 'boolean' as const }
}

export const backfillUsage = `segment-personalize backfill --input <dir> --out <dir> [--events <list>] [--anonymous drop|keep] [--verify-gzip] [--json]

Turns Segment history (segment-logs/**/*.gz as Segment's S3 destination writes it, or .json/.ndjson files) into the
CSVs Personalize imports, with DuckDB: interactions.csv, users.csv and items.csv with their Avro schemas, and
skipped.csv listing every line left out and why. Prints a report. Rules and the same SQL for Athena, Redshift,
Snowflake and Spark: docs/backfill.md.

Options:
  --input <dir>       the folder of logs (searched recursively)
  --out <dir>         where the CSVs and schemas are written (each complete or not at all)
  --events <list>     track events that become interactions, comma-separated, matched without regard to case
                      (default: Product Viewed,Product Clicked,Product Added,Order Completed)
  --anonymous <mode>  events without a userId: drop (default) or keep, with the anonymousId as USER_ID
  --verify-gzip       inflate every .gz file to check it even when the logs read cleanly (finds a file cut
                      exactly at the end of a line, which reads as complete); otherwise only when something is wrong
  --json              print the report as JSON
  -h, --help          show this help`
