/**
 * A `%needle%` pattern for `ILIKE $n ESCAPE '\'` in which `%`, `_` and `\` of the
 * needle match themselves (a search for "50%" finds "50%", not "500").
 */
export function containsPattern(needle: string): string {
  return `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
