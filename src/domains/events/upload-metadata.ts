/** What a client-supplied file name may become: metadata only, never a path. */
export function cleanFilename(name: string | undefined): string {
  // Control characters (NUL included) cannot be stored in jsonb or sent in a header.
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const cleaned = (name ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return cleaned.slice(0, 255) || 'upload';
}

const MIME = /^[A-Za-z0-9][\w!#$&^.+-]{0,62}\/[A-Za-z0-9][\w!#$&^.+-]{0,62}$/;

export function cleanContentType(type: string | undefined): string {
  return type && MIME.test(type) ? type.toLowerCase() : 'application/octet-stream';
}

/**
 * `Content-Disposition` for a download: always an attachment, with the base name only,
 * an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987).
 */
export function attachmentDisposition(filename: string): string {
  const base = filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1) || 'download';
  const ascii = base.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(base).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
