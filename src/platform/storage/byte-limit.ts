import { Transform, type TransformCallback } from 'node:stream';

export class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`File exceeds the maximum upload size of ${maxBytes} bytes`);
  }
}

/** Passes bytes through and fails as soon as more than `maxBytes` have gone by. */
export class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.destroyed) return callback();
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) return callback(new TooLargeError(this.maxBytes));
    callback(null, chunk);
  }
}
