import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, StorageService, type StoredObject } from './storage.service';

/**
 * Files under UPLOAD_DIR (a volume in compose). A write goes to a temporary sibling and is
 * renamed into place only when complete, so a failed or rejected upload leaves nothing.
 */
export class LocalStorageDriver extends StorageService {
  readonly driver = 'local' as const;

  constructor(private readonly root: string) {
    super();
  }

  private path(key: string): string {
    const path = join(this.root, key);
    const rel = relative(this.root, path);
    if (!rel || rel.startsWith('..') || rel.split(sep).includes('..')) throw new Error('storage key escapes the root');
    return path;
  }

  async put(key: string, body: Readable): Promise<{ size: number }> {
    assertSafeKey(key);
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${randomUUID()}.part`;
    const out = createWriteStream(temp, { flags: 'wx', mode: 0o640 });
    try {
      await pipeline(body, out);
      await rename(temp, target);
      return { size: out.bytesWritten };
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<StoredObject | null> {
    assertSafeKey(key);
    const path = this.path(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      return { stream: createReadStream(path), size: info.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await rm(this.path(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertSafeKey(prefix, { prefix: true });
    const dir = this.path(prefix);
    let count = 0;
    try {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true });
      count = entries.filter((e) => e.isFile() && !e.name.endsWith('.part')).length;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    await rm(dir, { recursive: true, force: true });
    return count;
  }
}
