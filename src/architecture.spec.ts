import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The domains depend on each other in one direction only: the graph of `@/domains/<name>`
 * imports between domains has no cycle (dependency-cruiser in `npm run lint` checks the
 * file-level rules; a cycle through two domains' public APIs need not be a file cycle).
 */
const SRC = __dirname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.spec.ts') ? [p] : [];
  });
}

function domainGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files(join(SRC, 'domains'))) {
    const from = relative(join(SRC, 'domains'), file).split(/[\\/]/)[0];
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const m of readFileSync(file, 'utf8').matchAll(/from '@\/domains\/([a-z-]+)/g)) if (m[1] !== from) edges.add(m[1]);
  }
  return graph;
}

function cycleOf(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'open') return [...path.slice(path.indexOf(n)), n];
    if (state.get(n) === 'done') return null;
    state.set(n, 'open');
    path.push(n);
    for (const next of graph.get(n) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) {
    const found = visit(n);
    if (found) return found;
  }
  return null;
}

/**
 * One data layer: every SQL statement, query builder call and entity API call lives in a
 * `*.repository.ts`. Outside them only the data layer's own machinery may touch the
 * DataSource (the executor, transactions, migrations, the breaker and pool metrics).
 */
const DATA_ACCESS =
  /(^|[`'" (])(SELECT|INSERT INTO|UPDATE [a-z_"]+ SET|DELETE FROM|WITH [a-z_]+ AS)\b|createQueryBuilder|InjectRepository|InjectDataSource|\.query\(|\b(em|tx|manager)\.(save|find|findOne|findOneBy|findBy|insert|update|delete|create|exists|existsBy|count|increment|upsert|query)\b/;
const DATA_LAYER_MACHINERY = [
  'platform/database/sql.ts', // the one raw executor
  'platform/database/transactions.ts', // opens transactions for services
  'platform/database/floyo-data-source.ts', // migrations under the advisory lock
  'platform/database/advisory-lock.ts',
  'platform/database/db-circuit-breaker.ts', // wraps the pool
  'platform/database/pool-stats.service.ts', // reads the pool's counters
];

describe('architecture', () => {
  it('holds every statement in a *.repository.ts (no SQL, query builder or entity call elsewhere)', () => {
    const outside = files(SRC)
      .filter((f) => !f.endsWith('.repository.ts') && !DATA_LAYER_MACHINERY.includes(relative(SRC, f).split(/[\\/]/).join('/')))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${relative(SRC, f)}:${i + 1}` }))
          .filter(({ line }) => DATA_ACCESS.test(line) && !/^\s*(\*|\/\/)/.test(line)),
      )
      .map(({ at, line }) => `${at}: ${line.trim()}`);
    expect(outside).toEqual([]);
  });

  it('has no import cycle between domains', () => {
    const graph = domainGraph();
    expect(graph.size).toBeGreaterThan(10);
    expect(cycleOf(graph)).toBeNull();
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    expect(cycleOf(graph)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('names only files that exist in README.md and docs/ (a move updates the docs)', () => {
    const root = join(SRC, '..');
    const docs = [
      'README.md',
      ...readdirSync(join(root, 'docs'))
        .filter((n) => n.endsWith('.md'))
        .map((n) => `docs/${n}`),
    ];
    const named = docs.flatMap((doc) =>
      [...readFileSync(join(root, doc), 'utf8').matchAll(/`((?:src|test|bench|scripts|deploy)\/[\w./-]+?)`/g)].map((m) => ({
        doc,
        path: m[1],
      })),
    );
    expect(named.length).toBeGreaterThan(50);
    const missing = named
      .filter(({ path }) => !/\*|\.\.\./.test(path) && !existsSync(join(root, path)))
      .map(({ doc, path }) => `${doc}: ${path}`);
    expect(missing).toEqual([]);
  });
});
