// The command's flags and help, apart from its code, so that the CLI can list them without loading the stack.
import { DEFAULT_PORT } from '../local/options'

export const DEMO_DEFAULTS = { dataDir: '.segment-personalize', days: 21, usersPerDay: 300, rate: 20, seed: 1 }

export const startOptions = {
  port: { type: 'string' as const },
  'data-dir': { type: 'string' as const },
  clean: { type: 'boolean' as const },
  days: { type: 'string' as const },
  'users-per-day': { type: 'string' as const },
  rate: { type: 'string' as const },
  seed: { type: 'string' as const },
  'delay-ms': { type: 'string' as const },
  domain: { type: 'string' as const },
  lambda: { type: 'boolean' as const }
}

export const startUsage = `segment-personalize start [--data-dir <dir>] [--clean] [--port <port>] [--days <n>] [--rate <n>] [--domain ecommerce] [--lambda]

The whole pipeline, offline, in one command (npm start runs it):
  1. history: the generator replays --days days of a shop's clickstream (seeded) into the data dir, in the layout
     Segment's S3 destination writes (segment-logs/<source>/<day>/*.gz)
  2. the local stack starts: Personalize for the AWS SDKs, Segment's Tracking and Profile APIs, the explorer page
  3. backfill: DuckDB turns the logs into Personalize's interactions, users and items CSVs
  4. provision: dataset group, imports, solution, training, campaign and event tracker, by name
  5. live: today's clickstream streams through the local Segment at --rate events/s; the Actions destination
     delivers it to Personalize, and the round-trip writes each shopper's recommended_products to their profile
Progress is printed as it goes, then a summary; the explorer stays open at the stack's URL until Ctrl-C.
Run again, it reuses the data dir: what is done is not redone, and the live day goes on where it stopped.

Options:
  --data-dir <dir>       where everything is kept (default ${DEMO_DEFAULTS.dataDir})
  --clean                delete the data dir first (only one this command made) and start over
  --port <port>          the stack's port (default ${DEFAULT_PORT}; 0 picks a free one)
  --days <n>             days of history before today (default ${DEMO_DEFAULTS.days})
  --users-per-day <n>    new visitors a day (default ${DEMO_DEFAULTS.usersPerDay})
  --rate <n>             live events a second (default ${DEMO_DEFAULTS.rate})
  --seed <n>             the generator's seed (default ${DEMO_DEFAULTS.seed})
  --delay-ms <ms>        how long Personalize's resources take to become ACTIVE (default 300)
  --domain ecommerce     provision an ECOMMERCE Domain dataset group and its recommenders instead of the workshop's
                         custom solution; the round-trip asks "Recommended for you" (use a fresh --data-dir)
  --lambda               deliver through the Lambda build instead of the Actions destination: the function Segment's
                         classic Amazon Personalize destination invokes, built and invoked as Lambda runs it
  -h, --help             show this help`
