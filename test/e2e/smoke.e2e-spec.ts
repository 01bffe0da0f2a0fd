import { createTestApp, type TestApp } from '../helpers/app';

describe('service surface', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET / describes the API', async () => {
    const res = await t.http().get('/').expect(200);
    expect(res.body).toEqual({ message: 'Floyo API', version: expect.any(String), api_version: 'v1' });
  });
});
