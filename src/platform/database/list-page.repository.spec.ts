import { pageFromProbe } from './list-page.repository';

const rows = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('pageFromProbe', () => {
  const never = async () => {
    throw new Error('count must not be needed');
  };

  it('knows the total without counting when the page shows the end', async () => {
    expect((await pageFromProbe(rows(7), 0, 10, never)).page).toEqual({ items: rows(7), total: 7, skip: 0, limit: 10, has_more: false });
    expect((await pageFromProbe(rows(3), 20, 10, never)).page).toMatchObject({ total: 23, has_more: false });
    expect((await pageFromProbe([], 0, 10, never)).page).toMatchObject({ total: 0, has_more: false });
  });

  it('uses the extra row for has_more and counts only then', async () => {
    const r = await pageFromProbe(rows(11), 0, 10, async () => ({ total: 40, capped: false }));
    expect(r.page).toMatchObject({ items: rows(10), total: 40, has_more: true });
    expect(r.totalCapped).toBe(false);
  });

  it('reports a capped count, never below what the page proves', async () => {
    const r = await pageFromProbe(rows(11), 100, 10, async () => ({ total: 50, capped: true }));
    expect(r.page).toMatchObject({ total: 111, has_more: true });
    expect(r.totalCapped).toBe(true);
    const past = await pageFromProbe([], 1000, 10, async () => ({ total: 40, capped: false }));
    expect(past.page).toMatchObject({ items: [], total: 40, has_more: false });
  });
});
