import { backfill, BackfillError, type Report } from '../../backfill/backfill'
import { backfillUsage } from './options'

type Values = Record<string, string | boolean | string[] | undefined>

function describe(report: Report): string {
  const skipped = Object.entries(report.skipped)
    .map(([reason, count]) => `  ${String(count).padStart(9)}  ${reason}`)
    .join('\n')
  const minimums = report.minimumsMet
    ? 'met (at least 1,000 interactions, 25 users with two or more)'
    : `NOT met: Personalize needs at least 1,000 interactions and 25 users with two or more (here ${report.interactions} and ${report.usersWithTwo})`
  return [
    `read ${report.linesRead} lines from ${report.files} files`,
    `kept ${report.interactions} interactions (${report.renamedEvents} with event names normalised to the allowlist's case)`,
    `skipped ${Object.values(report.skipped).reduce((a, b) => a + b, 0)} lines:`,
    skipped || '          none',
    `${report.users} users with identify traits (columns: ${report.userColumns.join(', ') || 'none'}), ${report.items} items`,
    report.span ? `from ${report.span.from} to ${report.span.to}` : 'no interactions',
    `training minimums ${minimums}`,
    `wrote ${report.outputs.join(', ')}`
  ].join('\n')
}

export async function runBackfill(values: Values): Promise<number> {
  if (typeof values.input !== 'string' || typeof values.out !== 'string') {
    console.error(`--input and --out are required.\n\n${backfillUsage}`)
    return 2
  }
  if (values.anonymous !== undefined && values.anonymous !== 'drop' && values.anonymous !== 'keep') {
    console.error(`--anonymous takes drop or keep, not "${String(values.anonymous)}"`)
    return 2
  }
  const events =
    typeof values.events === 'string'
      ? values.events
          .split(',')
          .map((event) => event.trim())
          .filter((event) => event !== '')
      : undefined
  if (events?.length === 0) {
    console.error('--events needs at least one event name')
    return 2
  }
  try {
    const report = await backfill({
      input: values.input,
      out: values.out,
      events,
      anonymous: values.anonymous,
      progress: process.stderr.isTTY,
      verifyGzip: values['verify-gzip'] === true
    })
    console.log(values.json ? JSON.stringify(report, null, 2) : describe(report))
    return 0
  } catch (error) {
    if (error instanceof BackfillError) {
      console.error(error.message)
      return 1
    }
    throw error
  }
}
