import { confidenceOf, MIN_EVIDENCE, suggestFromPatterns } from './rules';

const now = new Date('2026-11-27T12:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const settings = { maxSuggestions: 10, useActualFilePaths: true };

describe('suggestion rules', () => {
  it('suggests nothing without enough evidence', () => {
    expect(suggestFromPatterns([{ fileExtension: '.py', count: MIN_EVIDENCE - 1, lastUsed: now, tools: ['vim'] }], new Map(), settings, now)).toEqual([]);
  });

  it('derives suggestions from the patterns, with the real files and tools as evidence', () => {
    const files = new Map([['.py', ['/a/main.py', '/a/util.py']]]);
    const out = suggestFromPatterns([{ fileExtension: '.py', count: 12, lastUsed: daysAgo(1), tools: ['vscode', 'git'] }], files, settings, now);
    expect(out.map((s) => s.ruleId)).toEqual(['code-ci-github', 'handoff-slack']);
    const [ci] = out;
    expect(ci).toMatchObject({
      evidenceKey: '.py',
      suggestedIntegration: 'github',
      toolsInvolved: ['git', 'vscode'],
      actualFiles: ['/a/main.py', '/a/util.py'],
    });
    expect(ci.reasoning).toContain('12 times');
    expect(ci.sampleCode).toContain("paths: ['**/*.py']");
    expect(out[1].evidenceKey).toBe('.py|git,vscode');
  });

  it('leaves actual files out when the user asked for it, and caps the count', () => {
    const patterns = ['.md', '.csv', '.png', '.log', '.ts'].map((fileExtension) => ({ fileExtension, count: 30, lastUsed: now, tools: [] }));
    const out = suggestFromPatterns(patterns, new Map([['.md', ['/x.md']]]), { maxSuggestions: 3, useActualFilePaths: false }, now);
    expect(out).toHaveLength(3);
    expect(out.every((s) => s.actualFiles.length === 0)).toBe(true);
    expect(out[0].confidence).toBeGreaterThanOrEqual(out[2].confidence);
  });

  it('falls back to a generic rule only for frequently used unknown extensions', () => {
    const rare = suggestFromPatterns([{ fileExtension: '.xyz', count: 10, lastUsed: now, tools: [] }], new Map(), settings, now);
    const often = suggestFromPatterns([{ fileExtension: '.xyz', count: 25, lastUsed: now, tools: [] }], new Map(), settings, now);
    expect(rare).toEqual([]);
    expect(often.map((s) => s.ruleId)).toEqual(['frequent-backup-dropbox']);
  });

  it('rates more and fresher evidence higher, within 0.05..0.95', () => {
    expect(confidenceOf(0.6, 100, daysAgo(1), now)).toBeGreaterThan(confidenceOf(0.6, 6, daysAgo(1), now));
    expect(confidenceOf(0.6, 50, daysAgo(2), now)).toBeGreaterThan(confidenceOf(0.6, 50, daysAgo(60), now));
    expect(confidenceOf(2, 1e9, now, now)).toBe(0.95);
    expect(confidenceOf(0, 1, null, now)).toBe(0.05);
  });
});
