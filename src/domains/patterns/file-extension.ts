const EXTENSION = /^\.[\p{L}\p{N}_+~-]{1,49}$/u;

/**
 * The lower-cased extension of a path's last segment, with its dot (".py"), the way the
 * legacy service derived it (Python's `PurePath.suffix`): none for dot-files
 * (".gitignore"), names ending in a dot, or anything that is not a plain token of at
 * most 50 characters.
 */
export function fileExtension(path: string | null | undefined): string | null {
  if (!path) return null;
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return null;
  const ext = name.slice(dot).toLowerCase();
  return EXTENSION.test(ext) ? ext : null;
}
