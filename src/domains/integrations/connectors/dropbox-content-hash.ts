import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** Dropbox hashes a file in blocks of this many bytes (4 MiB). */
export const DROPBOX_HASH_BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * Dropbox's `content_hash` (https://www.dropbox.com/developers/reference/content-hash): the
 * file split into 4 MiB blocks (the last one shorter), the SHA-256 of each block, the
 * binary digests concatenated, and the SHA-256 of that, in hex. An empty file has no
 * blocks: its hash is the SHA-256 of nothing. Fed incrementally, in chunks of any size.
 */
export class DropboxContentHasher {
  private readonly overall: Hash = createHash('sha256');
  private block: Hash = createHash('sha256');
  private inBlock = 0;
  private total = 0;

  update(data: Uint8Array): this {
    let at = 0;
    while (at < data.length) {
      const take = Math.min(DROPBOX_HASH_BLOCK_BYTES - this.inBlock, data.length - at);
      this.block.update(data.subarray(at, at + take));
      this.inBlock += take;
      at += take;
      if (this.inBlock === DROPBOX_HASH_BLOCK_BYTES) this.closeBlock();
    }
    this.total += data.length;
    return this;
  }

  /** Bytes hashed so far. */
  get size(): number {
    return this.total;
  }

  /** The hex content hash; the hasher cannot be used afterwards. */
  digest(): string {
    if (this.inBlock > 0) this.closeBlock();
    return this.overall.digest('hex');
  }

  private closeBlock(): void {
    this.overall.update(this.block.digest());
    this.block = createHash('sha256');
    this.inBlock = 0;
  }
}

/** The content hash and length of everything `stream` yields. */
export async function dropboxContentHash(stream: Readable): Promise<{ contentHash: string; size: number }> {
  const hasher = new DropboxContentHasher();
  for await (const chunk of stream) hasher.update(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array));
  const size = hasher.size;
  return { contentHash: hasher.digest(), size };
}
