import { nextSlug, slugify } from './slug';

describe('organization slugs', () => {
  it.each([
    ['Acme', 'acme'],
    ['  Acme  Corp! ', 'acme-corp'],
    ['Café Müller', 'cafe-muller'],
    ['---', 'org'],
    ['東京', 'org'],
    ['a'.repeat(80), 'a'.repeat(50)],
  ])('slugify(%j) = %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('takes the base when free, else one past the highest numeric suffix', () => {
    expect(nextSlug('acme', [])).toBe('acme');
    expect(nextSlug('acme', ['acme-1'])).toBe('acme');
    expect(nextSlug('acme', ['acme'])).toBe('acme-1');
    expect(nextSlug('acme', ['acme', 'acme-1', 'acme-7'])).toBe('acme-8');
    expect(nextSlug('acme', ['acme', 'acme-x', 'acme-1-1'])).toBe('acme-1');
  });
});
