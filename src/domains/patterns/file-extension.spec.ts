import { fileExtension } from './file-extension';

describe('fileExtension', () => {
  it.each([
    ['/home/ada/main.py', '.py'],
    ['C:\\work\\Report.XLSX', '.xlsx'],
    ['archive.tar.gz', '.gz'],
    ['src/app.module.ts', '.ts'],
  ])('%s → %s', (path, ext) => expect(fileExtension(path)).toBe(ext));

  it.each([null, undefined, '', 'Makefile', '/home/ada/.gitignore', 'dir.d/file', 'trailing.', 'a.has space', `x.${'y'.repeat(60)}`])(
    'no extension for %p',
    (path) => expect(fileExtension(path)).toBeNull(),
  );
});
