import { csvRows } from './csv';

describe('csvRows', () => {
  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', '＝1', '＋1', '－1', '＠1'])(
    'neutralises the text cell %j with a leading quote',
    (cell) => {
      expect(csvRows([[cell]])).toBe(/[\r"]/.test(cell) ? `"'${cell}"\n` : `'${cell}\n`);
    },
  );

  it('leaves numbers, dates, JSON and ordinary text as they are', () => {
    expect(csvRows([[-5, 0, 12n, new Date('2026-01-02T03:04:05Z'), { a: '=x' }, ['=y'], null, undefined, 'a=b', ' =c']])).toBe(
      '-5,0,12,2026-01-02T03:04:05.000Z,"{""a"":""=x""}","[""=y""]",,,a=b, =c\n',
    );
  });

  it('quotes commas, quotes and line breaks, after neutralising', () => {
    expect(csvRows([['a,b', 'say "hi"', 'two\nlines', '=1,2']])).toBe('"a,b","say ""hi""","two\nlines","\'=1,2"\n');
  });
});
