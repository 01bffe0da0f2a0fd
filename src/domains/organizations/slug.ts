const MAX_BASE_LENGTH = 50;

/** `"Acme Corp!"` → `"acme-corp"`; accents folded; `"org"` when nothing usable is left. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_BASE_LENGTH)
    .replace(/-+$/, '');
  return slug || 'org';
}

/**
 * The slug to use for `base` given the slugs already taken that are `base` or `base-<n>`:
 * `base` when free, else one past the highest suffix (`acme`, `acme-1`, `acme-2`, …).
 */
export function nextSlug(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  let max = 0;
  for (const slug of taken) {
    const suffix = slug.slice(base.length + 1);
    if (slug.startsWith(`${base}-`) && /^[0-9]+$/.test(suffix)) max = Math.max(max, Number(suffix));
  }
  return `${base}-${max + 1}`;
}
