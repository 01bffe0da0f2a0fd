import { StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { csvRows } from './csv';

export const EXPORT_FORMATS = ['json', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportColumn<T> {
  header: string;
  value: (row: T) => unknown;
}

/** Rows read in key order, one bounded batch at a time (never the whole set in memory). */
export async function* keysetBatches<T, K>(
  fetch: (after: K | null, batchSize: number) => Promise<T[]>,
  keyOf: (row: T) => K,
  batchSize = 1_000,
): AsyncGenerator<T[]> {
  let after: K | null = null;
  for (;;) {
    const rows = await fetch(after, batchSize);
    if (rows.length) yield rows;
    if (rows.length < batchSize) return;
    after = keyOf(rows[rows.length - 1]);
  }
}

async function* encode<T>(
  format: ExportFormat,
  first: IteratorResult<T[]>,
  rest: AsyncIterator<T[]>,
  toJson: (row: T) => unknown,
  columns: ExportColumn<T>[],
): AsyncGenerator<string> {
  let batch = first;
  let count = 0;
  if (format === 'csv') yield csvRows([columns.map((c) => c.header)]);
  else yield '[';
  while (!batch.done) {
    if (format === 'csv') {
      yield csvRows(batch.value.map((row) => columns.map((c) => c.value(row))));
    } else {
      yield batch.value.map((row) => (count++ ? ',' : '') + JSON.stringify(toJson(row))).join('');
    }
    batch = await rest.next();
  }
  if (format === 'json') yield ']';
}

/**
 * A streamed JSON array or CSV attachment over batches. The first batch is read before
 * the response starts, so a database that is down still answers with a proper 503; a
 * failure after that aborts the response instead of ending a truncated file cleanly.
 */
export async function streamExport<T>(opts: {
  format: ExportFormat;
  basename: string;
  batches: AsyncIterable<T[]>;
  toJson: (row: T) => unknown;
  columns: ExportColumn<T>[];
}): Promise<StreamableFile> {
  const iterator = opts.batches[Symbol.asyncIterator]();
  const first = await iterator.next();
  const body = Readable.from(encode(opts.format, first, iterator, opts.toJson, opts.columns));
  const type = opts.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
  return new StreamableFile(body, {
    type,
    disposition: `attachment; filename="${opts.basename}.${opts.format}"`,
  });
}
