import { readdirSync, readFileSync, statSync } from 'node:fs';
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

describe('architecture', () => {
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
});
