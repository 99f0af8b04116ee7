#!/usr/bin/env node
// segment-personalize: one command line for the whole pipeline. Each sub-command lives in its own folder, loaded
// only when it runs (the destination alone takes a third of a second to load).
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { ConfigError, describeConfig, readConfigFile, withConfig, type Values } from '../common/config'
import { quietAwsSdkNodeNotice } from '../common/awsSdkNotice'
import { useAwsCredentialChain } from '../common/credentialChain'
import { apiOptions, apiUsage } from './api/options'
import { backfillOptions, backfillUsage } from './backfill/options'
import { exampleOptions } from './example/options'
import { functionsOptions, functionsUsage } from './functions/options'
import { generateOptions, generateUsage } from './generate/options'
import { lambdaOptions, lambdaUsage } from './lambda/options'
import { DEFAULT_PORT, localOptions } from './local/options'
import { startOptions, startUsage } from './start/options'
import { provisionOptions, provisionUsage, teardownOptions, teardownUsage } from './provision/options'

interface Command {
  summary: string
  usage: string
  options: NonNullable<ParseArgsConfig['options']>
  run: (values: Values, positionals: string[]) => Promise<number>
  /** Takes positional arguments (a sub-command). */
  positionals?: boolean
}

const COMMANDS: Record<string, Command> = {
  api: {
    summary: 'Serve the recommendations API (the Lambda handler) on HTTP, with catalogue metadata',
    usage: apiUsage,
    options: apiOptions,
    run: async (values) => (await import('./api')).runApi(values)
  },
  backfill: {
    summary: 'Turn Segment logs (S3 layout) into the CSVs and schemas Personalize imports, with DuckDB',
    usage: backfillUsage,
    options: backfillOptions,
    run: async (values) => (await import('./backfill')).runBackfill(values)
  },
  config: {
    summary: 'Show the settings every command shares, and where each comes from (environment, config file)',
    usage: `segment-personalize config [--config <file>]

Prints each shared setting (endpoints, keys, the data dir), its value and where it comes from. A command's flag
wins over the environment variable, which wins over the config file (--config <file>, else
$SEGMENT_PERSONALIZE_CONFIG, else ./segment-personalize.json). See docs/configuration.md.`,
    options: {},
    run: async (values) => {
      console.log(describeConfig(readConfigFile(typeof values.config === 'string' ? values.config : undefined)))
      return Promise.resolve(0)
    }
  },
  example: {
    summary: 'Send sample Segment events through the destination and print what Personalize receives',
    usage: `segment-personalize example [--tracking-id <id> [--region <region>] [--role-arn <arn> --external-id <id>]] [--endpoint <url>]

Runs sample e-commerce events (Product Viewed, Product Added, Order Completed with products[], the
workshop's sku-only Order Completed, and one bad event) through the Actions destination with its presets,
as Segment would. Without options they go to a local HTTP endpoint that answers like Personalize's
PutEvents, and every request it received is printed; each event's result is printed in every case.

Options:
  --tracking-id <id>   send to this real event tracker (Personalize in --region) instead of the local endpoint;
                       credentials: --role-arn/--external-id (assumed with your AWS credential chain:
                       environment, ~/.aws profiles and SSO, instance role), else AWS_ACCESS_KEY_ID and
                       AWS_SECRET_ACCESS_KEY from the environment
  --region <region>    the tracker's AWS region (default us-west-2)
  --role-arn <arn>     an IAM role to assume for PutEvents
  --external-id <id>   the role's external ID
  --endpoint <url>     send to this Personalize events endpoint (a VPC endpoint, an emulator)
  -h, --help           show this help`,
    options: exampleOptions,
    run: async (values) => (await import('./example')).runExample(values)
  },
  functions: {
    summary: 'Build the Destination Function (one self-contained script) and deploy it through Segment’s Public API',
    usage: functionsUsage,
    options: functionsOptions,
    positionals: true,
    run: async (values, positionals) => (await import('./functions')).runFunctions(values, positionals)
  },
  generate: {
    summary: 'Replay realistic Segment clickstream for past days, to segment-logs files, stdout or Segment',
    usage: generateUsage,
    options: generateOptions,
    run: async (values) => (await import('./generate')).runGenerate(values)
  },
  provision: {
    summary: 'Create (or reuse) the dataset group, datasets, imports, solution, campaign and event tracker',
    usage: provisionUsage,
    options: provisionOptions,
    run: async (values) => (await import('./provision')).runProvision(values)
  },
  start: {
    summary: 'The whole pipeline offline (npm start): history, local stack, backfill, training, a live day, explorer',
    usage: startUsage,
    options: startOptions,
    run: async (values) => (await import('./start')).runStart(values)
  },
  teardown: {
    summary: 'Delete what provision created under a name',
    usage: teardownUsage,
    options: teardownOptions,
    run: async (values) => (await import('./provision')).runTeardown(values)
  },
  lambda: {
    summary: 'Build, deploy or remove the Lambda function Segment’s classic Amazon Personalize destination invokes',
    usage: lambdaUsage,
    options: lambdaOptions,
    positionals: true,
    run: async (values, positionals) => (await import('./lambda')).runLambda(values, positionals)
  },
  local: {
    summary: 'Run the local stack: Amazon Personalize for the AWS SDKs and Segment’s Tracking API, on one port',
    usage: `segment-personalize local [--port <port>] [--host <host>] [--data-dir <dir>] [--delay-ms <ms>] [--strict-write-keys]
                          [--profile-token <token>] [--sigv4-key <id>:<secret>]

Serves, on one port: Personalize's events, runtime and control-plane APIs (for the AWS SDKs); Segment's Tracking API
(/v1/track, identify, page, screen, group, alias, batch, import) and Profile API (/v1/spaces/…/traits); delivery of
what Segment stores through the Actions destination; the explorer page (/) and the mappings view with an event tester
(/mappings); /_local/stats. Prints a line with "ready" and its URL once it listens; stops on Ctrl-C. State is in
memory unless --data-dir is given. The Segment sources are the generator's (web, ios, android, email) with its
default write keys, and personas for the round-trip. npm start (segment-personalize start) runs all of it with data.
Docs: docs/local-stack.md.

Options:
  --port <port>      port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <host>      address to listen on (default 127.0.0.1); requests must name this machine in their Host header
                     (localhost, 127.0.0.0/8, [::1] or this host), and only this origin's pages may change state or
                     read the page APIs (docs/local-stack.md#security)
  --sigv4-key <id>:<secret>  require the Personalize APIs' requests (events, runtime, control plane) to be SigV4-signed
                     with this key, over the body as received and within 15 minutes of this machine's clock
                     (repeatable); off by default. Segment's APIs keep their own keys: write keys and the Profile
                     API token; the pages have none
  --profile-token <token>  the Profile API's access token, the Basic auth user name (default local-profile-api-token;
                     at least 16 characters)
  --data-dir <dir>   keep state there (journaled and fsynced before each answer), so it survives a restart or a kill;
                     Segment's messages go to <dir>/segment-logs/<source>/<day>/*.gz, as its S3 destination writes
  --strict-write-keys  answer 401 to unknown write keys (Segment itself accepts them and drops their data)
  --destination <file> deliver Segment's messages through the Actions destination, with the settings in this JSON
                     file (provision --json writes one; read again when it changes); default: <data dir>/destination.json
  --catalogue <file> the backfill's items.csv: names, categories and prices for the explorer (it also learns them
                     from the product events it sees)
  --lambda <zip>     deliver track and identify calls to this Lambda build (segment-personalize lambda build) instead
                     of the Actions destination, invoked as Lambda does (a fresh Node process per cold start, Lambda's
                     environment and context): Segment's classic Amazon Personalize destination
  --delay-ms <ms>    how long created resources take to become ACTIVE (default 1000; 0 for tests)
  --retry-for <duration>  how long delivery retries a retryable failure, with randomized exponential backoff
                     (default 4h, as Segment; e.g. 10m, 90s, 0 for no retries); what still fails is kept in
                     <data dir>/delivery/failed.ndjson

Fault injection, for reliability tests (fractions of calls, 0 to 1):
  --fail-throttle <f>  answer ThrottlingException (HTTP 400)
  --fail-error <f>     answer InternalFailure (HTTP 500)
  --fail-delay <f>     hold the answer back by --fail-delay-ms (default 1000)
  -h, --help         show this help`,
    options: localOptions,
    run: async (values) => (await import('./local')).runLocal(values)
  }
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length))
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  return `Usage: segment-personalize <command> [options]

The Segment → Amazon Personalize pipeline as one package.

Commands:
${lines.join('\n')}

Run 'segment-personalize <command> --help' for a command's options.`
}

export async function main(argv: string[]): Promise<number> {
  // Every command, on Node 20 only (common/awsSdkNotice.ts).
  quietAwsSdkNodeNotice()
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage())
    return 0
  }
  const command = COMMANDS[name]
  if (!command) {
    console.error(`Unknown command '${name}'.\n\n${usage()}`)
    return 2
  }
  let values: Values
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: command.positionals ?? false
    }))
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${command.usage}`)
    return 2
  }
  if (values.help) {
    console.log(
      `${command.usage}\n\nEvery command also takes --config <file>: settings from a file (docs/configuration.md).`
    )
    return 0
  }
  try {
    values = withConfig(name, values, readConfigFile(typeof values.config === 'string' ? values.config : undefined))
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    return 2
  }
  useAwsCredentialChain()
  return command.run(values, positionals)
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error)
      process.exitCode = 1
    }
  )
}
