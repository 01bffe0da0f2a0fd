import { HttpException, HttpStatus } from '@nestjs/common';

/** An HttpException whose response also carries headers (read by the exception filter). */
export class HttpErrorWithHeaders extends HttpException {
  constructor(
    detail: unknown,
    status: number,
    readonly headers: Record<string, string>,
  ) {
    super({ detail }, status);
  }
}

/** 429 with `Retry-After` in whole seconds (at least 1). */
export function tooManyRequests(detail: string, retryAfterSeconds: number): HttpErrorWithHeaders {
  return new HttpErrorWithHeaders(detail, HttpStatus.TOO_MANY_REQUESTS, {
    'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });
}
