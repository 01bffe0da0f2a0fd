import { containsPattern } from './like';

describe('containsPattern', () => {
  it('wraps the needle in % and escapes the LIKE metacharacters', () => {
    expect(containsPattern('abc')).toBe('%abc%');
    expect(containsPattern('50%_off\\x')).toBe('%50\\%\\_off\\\\x%');
    expect(containsPattern('')).toBe('%%');
  });
});
