import { attachmentDisposition, cleanContentType, cleanFilename } from './upload-metadata';

describe('upload metadata', () => {
  it('keeps a traversal-looking name as text but drops control characters', () => {
    expect(cleanFilename('../../etc/passwd')).toBe('../../etc/passwd');
    expect(cleanFilename('evil\u0000.txt\r\n')).toBe('evil.txt');
    expect(cleanFilename('')).toBe('upload');
    expect(cleanFilename(undefined)).toBe('upload');
    expect(cleanFilename('x'.repeat(300))).toHaveLength(255);
  });

  it('accepts only well-formed media types', () => {
    expect(cleanContentType('text/plain')).toBe('text/plain');
    expect(cleanContentType('image/SVG+xml')).toBe('image/svg+xml');
    expect(cleanContentType('text/html; charset=utf-8')).toBe('application/octet-stream');
    expect(cleanContentType('nonsense')).toBe('application/octet-stream');
    expect(cleanContentType(undefined)).toBe('application/octet-stream');
  });

  it('builds an attachment disposition from the base name only, safe to put in a header', () => {
    expect(attachmentDisposition('../../etc/passwd')).toBe(`attachment; filename="passwd"; filename*=UTF-8''passwd`);
    expect(attachmentDisposition('C:\\x\\report "q".pdf')).toBe(
      `attachment; filename="report _q_.pdf"; filename*=UTF-8''report%20%22q%22.pdf`,
    );
    expect(attachmentDisposition('naïve.txt')).toBe(`attachment; filename="na_ve.txt"; filename*=UTF-8''na%C3%AFve.txt`);
    expect(attachmentDisposition('dir/')).toBe(`attachment; filename="download"; filename*=UTF-8''download`);
  });
});
