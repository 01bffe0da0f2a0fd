import { stringify } from 'csv-stringify/sync';

/**
 * The one CSV writer of the service (ESLint keeps csv-stringify out of every other file):
 * standard quoting (cells holding commas, quotes or line breaks are quoted) and spreadsheet
 * formula neutralisation — a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return (or a full-width `＝` `＋` `－` `＠`) gets a leading single quote, so that a
 * spreadsheet shows it as text instead of running it ("CSV injection"). Numbers are left
 * alone, so a negative count stays a number.
 */
export function csvRows(rows: unknown[][]): string {
  return stringify(
    rows.map((row) => row.map(csvCell)),
    { escape_formulas: true },
  );
}

function csvCell(value: unknown): string | number | bigint {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
