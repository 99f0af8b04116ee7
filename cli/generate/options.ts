// The command's flags and help, apart from its code, so that the CLI can list them without loading the generator.
import { DEFAULT_MIX, DEFAULTS } from '../../generators/model'
import { SOURCE_NAMES } from '../../generators/sources'

export const generateOptions = {
  from: { type: 'string' as const },
  to: { type: 'string' as const },
  seed: { type: 'string' as const },
  out: { type: 'string' as const },
  stdout: { type: 'boolean' as const },
  host: { type: 'string' as const },
  rate: { type: 'string' as const },
  compat: { type: 'string' as const },
  'users-per-day': { type: 'string' as const },
  'sessions-per-user': { type: 'string' as const },
  catalogue: { type: 'string' as const },
  mix: { type: 'string' as const },
  sources: { type: 'string' as const },
  'write-key': { type: 'string' as const, multiple: true },
  'source-id': { type: 'string' as const, multiple: true }
}

export const generateUsage = `segment-personalize generate (--out <dir> | --stdout | --host <url>) [options]

Replays realistic clickstream of a shop (web, iOS and Android apps, email) for every day from --from to --to (UTC):
new visitors, sign-ups (identify), shopping sessions with e-commerce spec events, welcome emails. The same
arguments give the same messages, byte for byte, on any machine: messageIds too, so re-sending a replay to Segment
does not double-count. Model and flags: docs/generator.md.

Where the messages go (one of):
  --out <dir>          files as Segment's S3 destination writes them: <dir>/segment-logs/<source-id>/<day-ms>/*.gz
  --stdout             newline-delimited JSON, one message per line
  --host <url>         Segment's Tracking API through @segment/analytics-node: https://api.segment.io,
                       https://events.eu1.segmentapis.com (EU), or the local stack's URL

Days:
  --from <YYYY-MM-DD>  first day, UTC (default: 29 days before --to)
  --to <YYYY-MM-DD>    last day, UTC, inclusive (default: yesterday; with --rate, today)
  --rate <n>           stream --to's day live at n messages/s, stamped with the time they are sent, with the
                       users of the days since --from (with --stdout or --host); stop with Ctrl-C
  --seed <n>           random seed (default ${DEFAULTS.seed})

Model:
  --users-per-day <n>      new visitors per day over all platforms (default ${DEFAULTS.usersPerDay}); about 30% sign up
  --sessions-per-user <n>  mean sessions on a day a user shops (default ${DEFAULTS.sessionsPerUser})
  --catalogue <n>          products (default ${DEFAULTS.catalogueSize}: the workshop's SKUs; more adds made-up products)
  --mix <k=v,…>            the shopping funnel: views (mean product views per session, default ${DEFAULT_MIX.views}),
                           click (${DEFAULT_MIX.click}), add (${DEFAULT_MIX.add}), order (${DEFAULT_MIX.order}): the chance of each step
  --compat workshop        the workshop's legacy shapes: sku-only properties, Order Completed without products[]

Sources:
  --sources <list>         which send, of ${SOURCE_NAMES.join(',')} (default: all)
  --write-key <source>=<key>  a source's write key (repeatable; defaults are fixed made-up keys)
  --source-id <source>=<id>   a source's id, its folder under segment-logs/ (repeatable)
  -h, --help               show this help`
