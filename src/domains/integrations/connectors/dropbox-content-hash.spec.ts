import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { DROPBOX_HASH_BLOCK_BYTES, DropboxContentHasher, dropboxContentHash } from './dropbox-content-hash';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

/** The documented algorithm written out on a whole buffer: a reference independent of the incremental hasher. */
function reference(data: Buffer): string {
  const digests: Buffer[] = [];
  for (let at = 0; at < data.length; at += DROPBOX_HASH_BLOCK_BYTES) digests.push(sha256(data.subarray(at, at + DROPBOX_HASH_BLOCK_BYTES)));
  return createHash('sha256').update(Buffer.concat(digests)).digest('hex');
}

describe('Dropbox content hash', () => {
  it('uses 4 MiB blocks', () => {
    expect(DROPBOX_HASH_BLOCK_BYTES).toBe(4194304);
  });

  it('hashes an empty file as the SHA-256 of no block digests', async () => {
    const { contentHash, size } = await dropboxContentHash(Readable.from([]));
    expect(size).toBe(0);
    expect(contentHash).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes a short file as SHA-256(SHA-256(bytes))', () => {
    const data = Buffer.from('hello dropbox');
    const expected = createHash('sha256').update(sha256(data)).digest('hex');
    expect(new DropboxContentHasher().update(data).digest()).toBe(expected);
  });

  it('hashes exactly one full block as one block (no empty trailing block)', () => {
    const data = Buffer.alloc(DROPBOX_HASH_BLOCK_BYTES, 7);
    const expected = createHash('sha256').update(sha256(data)).digest('hex');
    expect(new DropboxContentHasher().update(data).digest()).toBe(expected);
  });

  it('gives the same hash whatever the chunking, across block boundaries', async () => {
    const data = randomBytes(DROPBOX_HASH_BLOCK_BYTES * 2 + 12345);
    const expected = reference(data);
    // chunks of odd sizes that straddle the 4 MiB boundaries
    const chunks: Buffer[] = [];
    for (let at = 0, n = 1; at < data.length; n = (n * 7919) % 1_000_003) {
      chunks.push(data.subarray(at, at + n));
      at += n;
    }
    const { contentHash, size } = await dropboxContentHash(Readable.from(chunks));
    expect(size).toBe(data.length);
    expect(contentHash).toBe(expected);
    expect(new DropboxContentHasher().update(data).digest()).toBe(expected);
    // two blocks and a tail: three block digests
    expect(contentHash).not.toBe(createHash('sha256').update(sha256(data)).digest('hex'));
  });
});
