import { randomBytes } from 'node:crypto';
import { credentialProblem, keyProblem, keyStrength, MIN_KEY_BITS, placeholderMarker, urlPassword } from './secret-strength';

describe('secret strength', () => {
  it('finds the placeholder words in any case and spelling', () => {
    for (const marked of [
      'CHANGE-ME',
      'changeme',
      'Change_Me-now',
      'your-secret-key-change-in-production',
      'a-PlaceHolder',
      'EXAMPLE-key',
    ]) {
      expect(placeholderMarker(marked)).not.toBeNull();
    }
    expect(placeholderMarker(randomBytes(32).toString('hex'))).toBeNull();
  });

  it('passes keys from `openssl rand -hex 32` and `openssl rand -base64 32`, always', () => {
    for (let i = 0; i < 2_000; i++) {
      expect(keyProblem(randomBytes(32).toString('hex'))).toBeNull();
      expect(keyProblem(randomBytes(32).toString('base64'))).toBeNull();
    }
  });

  it.each([
    ['one repeated character', 'x'.repeat(64)],
    ['a repeated pair', 'ab'.repeat(32)],
    ['a repeated short word', 'secret'.repeat(8)],
    ['a run of the alphabet', 'abcdefghijklmnopqrstuvwxyz0123456789'],
    ['a run of digits', '0123456789'.repeat(4)],
    ['too few bits: 24 hex digits', randomBytes(12).toString('hex')],
  ])('refuses %s', (_name, key) => {
    expect(keyProblem(key)).toMatch(/too weak.*openssl rand -hex 32/);
  });

  it('counts length × log2(alphabet) bits', () => {
    expect(keyStrength('0123456789abcdef'.repeat(2)).bits).toBe(128);
    expect(keyStrength(randomBytes(32).toString('hex')).bits).toBe(256);
    expect(keyStrength(randomBytes(12).toString('hex')).bits).toBeLessThan(MIN_KEY_BITS);
  });

  it('refuses a known placeholder and a marked value, naming the word but never the key', () => {
    const key = `${randomBytes(32).toString('hex')}-CHANGE-ME`;
    const problem = keyProblem(key)!;
    expect(problem).toMatch(/placeholder \(it contains "CHANGE-ME"\).*openssl rand -hex 32/);
    expect(problem).not.toContain(key.slice(0, 16));
    const known = randomBytes(32).toString('hex');
    expect(keyProblem(known, [known])).toMatch(/placeholder/);
  });

  it('refuses placeholder credentials only (a password need not be random)', () => {
    expect(credentialProblem('CHANGE-ME')).toMatch(/placeholder/);
    expect(credentialProblem('hunter2 correct horse')).toBeNull();
  });

  it('reads the password of a URL', () => {
    expect(urlPassword('postgres://floyo:CHANGE%2DME@db:5432/floyo')).toBe('CHANGE-ME');
    expect(urlPassword('redis://:s3cret@redis:6379')).toBe('s3cret');
    expect(urlPassword('postgres://postgres@db/floyo')).toBeNull();
    expect(urlPassword('not a url')).toBeNull();
  });
});
