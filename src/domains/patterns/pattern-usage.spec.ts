import { foldUsages, PATTERN_MAX_TOOLS } from './pattern-usage';

describe('foldUsages', () => {
  it('folds a batch into one entry per extension: count, latest time, distinct tools in first-seen order', () => {
    const d = (s: string) => new Date(s);
    const folded = foldUsages([
      { extension: '.py', at: d('2025-01-02'), tool: 'vim' },
      { extension: '.py', at: d('2025-03-01'), tool: 'git' },
      { extension: '.md', at: null, tool: null },
      { extension: '.py', at: d('2025-02-01'), tool: 'vim' },
      { extension: '.py', at: null, tool: 'code' },
    ]);
    expect([...folded.keys()]).toEqual(['.py', '.md']);
    expect(folded.get('.py')).toEqual({ count: 4, latest: d('2025-03-01'), now: true, tools: ['vim', 'git', 'code'] });
    expect(folded.get('.md')).toEqual({ count: 1, latest: null, now: true, tools: [] });
  });

  it('keeps at most PATTERN_MAX_TOOLS tools', () => {
    const many = Array.from({ length: PATTERN_MAX_TOOLS + 10 }, (_, i) => ({ extension: '.x', at: null, tool: `t${i}` }));
    expect(foldUsages(many).get('.x')!.tools).toHaveLength(PATTERN_MAX_TOOLS);
  });
});
