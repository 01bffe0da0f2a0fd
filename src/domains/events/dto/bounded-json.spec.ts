import { DETAILS_MAX_BYTES, jsonProblem } from './bounded-json';

const nested = (levels: number) => {
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) v = { a: v };
  return v;
};

describe('jsonProblem', () => {
  it('accepts ordinary objects up to the depth and size limits', () => {
    expect(jsonProblem({ a: 1, b: ['x', { c: null }] })).toBeNull();
    expect(jsonProblem(nested(8))).toBeNull();
    expect(jsonProblem({ s: 'x'.repeat(DETAILS_MAX_BYTES - 20) })).toBeNull();
  });

  it('refuses deeper nesting, arrays included', () => {
    expect(jsonProblem(nested(9))).toMatch(/deeper than 8/);
    expect(jsonProblem({ a: [[[[[[[[1]]]]]]]] })).toMatch(/deeper than 8/);
  });

  it('refuses documents over the byte limit, counting UTF-8 bytes', () => {
    expect(jsonProblem({ s: 'x'.repeat(DETAILS_MAX_BYTES) })).toMatch(/at most 16384 bytes/);
    expect(jsonProblem({ s: 'é'.repeat(DETAILS_MAX_BYTES / 2) })).toMatch(/bytes/);
  });

  it('refuses NUL characters in keys and values', () => {
    expect(jsonProblem({ s: 'a\u0000b' })).toMatch(/NUL/);
    expect(jsonProblem({ 'k\u0000': 1 })).toMatch(/NUL/);
  });

  it('does not recurse: a very deep document fails fast without a stack overflow', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(jsonProblem(v)).toMatch(/deeper/);
  });
});
