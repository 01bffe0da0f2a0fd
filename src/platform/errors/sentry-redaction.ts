import type { Breadcrumb, ErrorEvent, EventHint } from '@sentry/nestjs';
import { redactErrorText } from '@/platform/logging/error-redaction';
import { redactUrl } from '@/platform/logging/logger.config';

/** Request headers that carry credentials. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);
const REDACTED = '[REDACTED]';

/**
 * What is sent to Sentry follows the logs' rules: exception texts without SQL values
 * (error-redaction.ts); URLs without tokens (redactUrl) — the request's URL and query
 * string, and those of breadcrumbs; no credential header, no cookie and no request body
 * (bodies hold passwords, refresh tokens and user data; the logs never hold them either).
 */
export function redactEvent(event: ErrorEvent, hint: EventHint): ErrorEvent {
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = redactErrorText(exception.value, hint.originalException);
  }
  if (event.request) {
    if (event.request.url) event.request.url = redactUrl(event.request.url);
    for (const name of Object.keys(event.request.headers ?? {})) {
      if (SECRET_HEADERS.has(name.toLowerCase())) event.request.headers![name] = REDACTED;
    }
    delete event.request.cookies;
    if (event.request.data !== undefined) event.request.data = REDACTED;
    const qs = event.request.query_string;
    if (typeof qs === 'string') event.request.query_string = redactQuery(qs);
    else if (qs) event.request.query_string = redactQuery(new URLSearchParams(Array.isArray(qs) ? qs : Object.entries(qs)).toString());
  }
  event.breadcrumbs = event.breadcrumbs?.map(redactBreadcrumb);
  return event;
}

export function redactBreadcrumb(breadcrumb: Breadcrumb): Breadcrumb {
  const data = breadcrumb.data;
  if (data && typeof data.url === 'string') data.url = redactUrl(data.url);
  if (data && typeof data['http.query'] === 'string') data['http.query'] = redactQuery(data['http.query']);
  return breadcrumb;
}

const redactQuery = (query: string) => redactUrl(`?${query.replace(/^\?/, '')}`)!.slice(1);
