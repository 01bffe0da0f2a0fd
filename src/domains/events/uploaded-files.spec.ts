import { globToLike } from './uploaded-files';

describe('globToLike', () => {
  it('turns * and ? into % and _, and keeps LIKE metacharacters literal', () => {
    expect(globToLike('*.csv')).toBe('%.csv');
    expect(globToLike('report-??.pdf')).toBe('report-__.pdf');
    expect(globToLike('50%_off\\*.txt')).toBe('50\\%\\_off\\\\%.txt');
  });
});
