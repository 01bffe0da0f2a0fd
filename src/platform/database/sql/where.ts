/**
 * Builds a parameterised WHERE clause: values only ever travel as $n parameters; the
 * SQL fragments come from the code (never from input).
 */
export class SqlWhere {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  /** Adds `value` as the next parameter and returns its placeholder ("$3"). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds a clause built around the placeholder of `value`. */
  and(clause: (placeholder: string) => string, value: unknown): this {
    this.clauses.push(clause(this.param(value)));
    return this;
  }

  get sql(): string {
    return this.clauses.length ? this.clauses.join(' AND ') : 'TRUE';
  }
}
