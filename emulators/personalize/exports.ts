// Dataset export jobs: a dataset's records written as CSV files with a header of the schema's fields, as
// Personalize exports them to S3 (https://docs.aws.amazon.com/personalize/latest/dg/export-data.html). The data is
// taken and written when the job is created; its status then advances like every other resource's. The output
// location is resolved like an import's data location (localPath: s3://bucket/key under the emulator's S3 folder,
// file:// URLs and paths), and each job writes a folder of its own named after it, with part files. A journal
// replay writes nothing: the files were written when the job ran (as S3 keeps objects), and the journal entry
// carries the job's failure reason, so a restart never writes outside the data dir.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { csvRow } from '../../common/csv'
import { avroFields } from './controlPlane'
import { exists, notFound, type Input, type Operation } from './resources'
import type { RecordedEvent, Resource, Store } from './store'
import { AwsError } from './protocol'
import { camel, resolveLocation } from './training'
import type { Interaction } from './model'

/** The largest number of rows in one part file. */
export const ROWS_PER_PART = 100_000

type IngestionMode = 'BULK' | 'PUT' | 'ALL'

/** A column's value in an exported interaction: the reserved fields by name, the others from the properties. */
type Row = (column: string) => string

function recordedRow(event: RecordedEvent): Row {
  let properties: Record<string, unknown> | undefined
  return (column) => {
    switch (column) {
      case 'USER_ID':
        return event.userId ?? ''
      case 'ITEM_ID':
        return event.itemId ?? ''
      case 'EVENT_TYPE':
        return event.eventType
      // PutEvents' sentAt is epoch seconds, possibly with a fraction; the dataset's TIMESTAMP is a long.
      case 'TIMESTAMP':
        return String(Math.floor(event.sentAt))
      case 'EVENT_VALUE':
        return event.eventValue === undefined ? '' : String(event.eventValue)
      // Impressions are a pipe-separated list in an Interactions CSV
      // (https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html).
      case 'IMPRESSION':
        return (event.impression ?? []).join('|')
      case 'RECOMMENDATION_ID':
        return event.recommendationId ?? ''
      default: {
        properties ??= event.properties ? (JSON.parse(event.properties) as Record<string, unknown>) : {}
        const value = properties[camel(column)]
        if (value === undefined || value === null) return ''
        return typeof value === 'string' ? value : JSON.stringify(value)
      }
    }
  }
}

function importedRow(interaction: Interaction): Row {
  const values: Record<string, string> = {
    USER_ID: interaction.userId,
    ITEM_ID: interaction.itemId,
    EVENT_TYPE: interaction.eventType ?? '',
    TIMESTAMP: String(interaction.timestamp)
  }
  return (column) => values[column] ?? ''
}

/** The Interactions dataset's rows for an ingestion mode: bulk (imported) first, then incremental (PutEvents). */
function interactionRows(store: Store, datasetGroupArn: string, mode: IngestionMode): Row[] {
  const bulk = mode === 'PUT' ? [] : (store.imported.get(datasetGroupArn) ?? []).map(importedRow)
  const put = mode === 'BULK' ? [] : (store.events.get(datasetGroupArn) ?? []).map(recordedRow)
  return [...bulk, ...put]
}

/**
 * Writes the export's part files into <folder>/<jobName>/ (part-00000.csv, …), each with the header; returns why it
 * could not, if it could not. Rows identical in every field are kept (Personalize merges them): a test then sees a
 * double delivery for what it is.
 */
function writeExport(folder: string, jobName: string, columns: string[], rows: Row[]): string | undefined {
  const dir = path.join(folder, jobName)
  try {
    mkdirSync(dir, { recursive: true })
    const parts = Math.max(1, Math.ceil(rows.length / ROWS_PER_PART))
    for (let part = 0; part < parts; part++) {
      const lines = rows.slice(part * ROWS_PER_PART, (part + 1) * ROWS_PER_PART).map((row) => csvRow(columns.map(row)))
      const file = path.join(dir, `part-${String(part).padStart(5, '0')}.csv`)
      writeFileSync(file, [csvRow(columns), ...lines].map((line) => `${line}\n`).join(''))
    }
    return undefined
  } catch (error) {
    return `Cannot write to ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`
  }
}

/** Why the dataset cannot be exported by the emulator, or its columns. */
function exportColumns(store: Store, dataset: Resource): string[] | string {
  if (dataset.fields.datasetType !== 'INTERACTIONS')
    return `The local Personalize exports Interactions datasets only; ${dataset.arn} is a ${String(dataset.fields.datasetType)} dataset.`
  const schema = store.get('schema', dataset.fields.schemaArn)
  const fields = schema ? avroFields(schema.fields.schema as string) : 'its schema was deleted'
  return typeof fields === 'string' ? `Cannot read the dataset's schema: ${fields}` : fields
}

const destination = (input: Input) =>
  (input.jobOutput as { s3DataDestination: { path: string; kmsKeyArn?: string } }).s3DataDestination

export function exportOperations(s3Root: string): Record<string, Operation> {
  return {
    CreateDatasetExportJob: (store, input) => {
      const dataset = store.get('dataset', input.datasetArn)
      if (!dataset) return notFound(input.datasetArn)
      const jobName = input.jobName as string
      const arn = store.arn('dataset-export-job', jobName)
      if (store.resources.has(arn)) return exists(arn)
      const mode = (input.ingestionMode as IngestionMode | undefined) ?? 'PUT'
      const folder = resolveLocation(destination(input).path, s3Root)
      if (folder instanceof AwsError) return folder
      const columns = exportColumns(store, dataset)
      let failureReason = typeof columns === 'string' ? columns : undefined
      if (store.replaying) failureReason = (input.failureReason as string | undefined) ?? failureReason
      else if (typeof columns !== 'string') {
        const rows = interactionRows(store, dataset.fields.datasetGroupArn as string, mode)
        failureReason = writeExport(folder, jobName, columns, rows)
      }
      store.add('dataset-export-job', arn, jobName, {
        jobName,
        datasetArn: dataset.arn,
        ingestionMode: mode,
        roleArn: input.roleArn,
        jobOutput: input.jobOutput,
        ...(failureReason ? { failureReason } : {})
      })
      return { datasetExportJobArn: arn }
    }
  }
}

/** The export job's input as the journal keeps it: with the job's failure reason, which a replay restores instead of
 *  writing the files again. */
export function journaledExport(store: Store, input: Input, result: Record<string, unknown>): Input {
  const job = store.resources.get(result.datasetExportJobArn as string)
  const failureReason = job?.fields.failureReason
  return failureReason === undefined ? input : { ...input, failureReason }
}
