import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { makeSuperuser } from '../helpers/organizations';
import { bearer, registerAndLogin, type TestUser, uniqueEmail } from '../helpers/users';

/**
 * Walks the service's own OpenAPI document and sends every operation under /api hostile
 * strings, one input at a time (path, query and header parameters, JSON body fields and the
 * string leaves of their examples): a NUL character (PostgreSQL refuses it in text, 22021,
 * and in jsonb, 22P05), 10 000 characters, LIKE metacharacters and a lone surrogate. Bad input
 * must always be a 4xx with a `detail`, never a 5xx.
 */

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
}
interface Param {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  parameters?: Param[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

interface Hostile {
  kind: string;
  json: unknown;
  /** The value as it goes into a URL (already percent-encoded). */
  url: string;
}

const STRINGS: Hostile[] = [
  { kind: 'nul', json: 'a\u0000b', url: 'a%00b' },
  { kind: 'long', json: 'x'.repeat(10_000), url: 'x'.repeat(10_000) },
  { kind: 'like', json: '%_\\', url: encodeURIComponent('%_\\') },
  // encodeURIComponent refuses a lone surrogate: in a URL it is its (invalid) UTF-8 bytes
  { kind: 'surrogate', json: '\ud800', url: '%ED%A0%80' },
];
/** For fields that take free-form JSON (or are documented as "object"). */
const OBJECTS: Hostile[] = [
  { kind: 'nul-in-object', json: { k: 'a\u0000b' }, url: '' },
  { kind: 'nul-key', json: { 'a\u0000b': 'v' }, url: '' },
  { kind: 'surrogate-in-object', json: { k: '\ud800' }, url: '' },
];
/** Header values cannot carry NUL or a lone surrogate at all. */
const HEADER_SAFE = STRINGS.filter((h) => h.kind === 'long' || h.kind === 'like');

/** Routes that end the caller's session or account: each request gets a user of its own. */
const OWN_USER_PER_REQUEST = new Set(['DELETE /api/data/delete', 'DELETE /api/auth/sessions', 'POST /api/auth/change-password']);

/** Inputs read with @QueryOrBody(): documented as a JSON body by @ApiQueryOrBody(). */
const QUERY_OR_BODY = ['POST /api/auth/refresh', 'PUT /api/auth/profile', 'POST /api/workflows/{id}/rollback'];

type Loc = (string | number)[];

interface Case {
  op: string;
  field: string;
  kind: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  ownUser: boolean;
}

interface Result {
  c: Case;
  status: number;
  body: unknown;
}

describe('hostile strings in every documented input', () => {
  let t: TestApp;
  let user: TestUser;
  let doc: OpenApiDoc;
  let githubConnector: string;
  let counter = 0;
  /** Resources the baselines created, by the path that created them: their ids fill path parameters. */
  const created = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    // a superuser reaches the admin routes; a database change applies at once with no principal cache
    // (the suite's limits are high already; these named ones are not raised by the test environment)
    t = await createTestApp({
      AUTH_PRINCIPAL_CACHE_MS: '0',
      RATE_LIMIT_BATCH_PER_MINUTE: '10000',
      RATE_LIMIT_GENERATE_PER_HOUR: '10000',
      RATE_LIMIT_DATA_DELETE_PER_HOUR: '10000',
    });
    user = await registerAndLogin(t);
    await makeSuperuser(user.id);
    doc = (await t.http().get('/openapi.json').expect(200)).body;
    const connectors = (await t.http().get('/api/integrations/connectors').set(bearer(user.accessToken)).expect(200)).body;
    githubConnector = connectors.find((c: { service_type: string }) => c.service_type === 'github').id;
  });
  afterAll(() => t.close());

  const deref = (s: Schema | undefined): Schema => {
    if (!s?.$ref) return s ?? {};
    return deref(doc.components.schemas[s.$ref.replace('#/components/schemas/', '')]);
  };

  /** Values a schema cannot express: existing records, the caller's own credentials. */
  const knownValue = (op: string, name: string): unknown => {
    switch (name) {
      case 'email':
        return op.endsWith('/register') ? uniqueEmail('fuzz') : user.email;
      case 'password':
      case 'old_password':
        return user.password;
      case 'new_password':
        return 'another horse battery';
      case 'connector_id':
        return githubConnector;
      case 'config':
        return { access_token: 'x', repository: 'o/r' };
      case 'user_id':
        return user.id;
      default:
        return undefined;
    }
  };

  /** A minimal valid value: required properties, plus the optional ones with an example or a known value. */
  const sample = (op: string, schema: Schema | undefined, name = ''): unknown => {
    const known = knownValue(op, name);
    if (known !== undefined) return known;
    const s = deref(schema);
    if (s.enum) return s.enum[0];
    if (s.format === 'uuid') return randomUUID();
    if (s.format === 'email') return uniqueEmail('fuzz');
    if (s.format === 'date-time') return new Date().toISOString();
    if (typeof s.example === 'string') return `${s.example}_${++counter}`; // unique names, slugs, flags
    if (s.example !== undefined) return s.example;
    if (s.default !== undefined) return s.default;
    if (s.type === 'number' || s.type === 'integer') return s.minimum ?? 1;
    if (s.type === 'boolean') return false;
    if (s.type === 'array') return deref(s.items).properties ? [sample(op, s.items)] : [];
    if (s.type === 'string') return `x${++counter}`;
    if (!s.properties) return {};
    const out: Record<string, unknown> = {};
    for (const [key, prop] of Object.entries(s.properties)) {
      if (s.required?.includes(key) || deref(prop).example !== undefined || knownValue(op, key) !== undefined)
        out[key] = sample(op, prop, key);
    }
    return out;
  };

  /** Every body location that takes a string (or free-form JSON), with what to put there. */
  const bodyTargets = (schema: Schema | undefined, loc: Loc, out: Map<string, { loc: Loc; values: Hostile[] }>) => {
    const s = deref(schema);
    if (s.type === 'array') {
      const items = deref(s.items);
      if (items.properties) bodyTargets(items, [...loc, 0], out);
      else if (loc.length) out.set(loc.join('.'), { loc, values: STRINGS.map((h) => ({ ...h, json: [h.json] })) });
    } else if (s.properties) {
      for (const [key, prop] of Object.entries(s.properties)) bodyTargets(prop, [...loc, key], out);
    } else if (!['number', 'integer', 'boolean'].includes(s.type ?? '') && loc.length) {
      // "object" is what @nestjs/swagger writes for `string | null` too: try both
      out.set(loc.join('.'), { loc, values: s.type === 'string' ? STRINGS : [...STRINGS, ...OBJECTS] });
    }
  };

  /** The string leaves of a sample body (inside examples such as workflow steps). */
  const stringLeaves = (value: unknown, loc: Loc, out: Map<string, { loc: Loc; values: Hostile[] }>) => {
    if (typeof value === 'string' && loc.length && !out.has(loc.join('.'))) out.set(loc.join('.'), { loc, values: STRINGS });
    if (Array.isArray(value)) value.forEach((v, i) => stringLeaves(v, [...loc, i], out));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) stringLeaves(v, [...loc, k], out);
  };

  const setAt = (base: unknown, loc: Loc, value: unknown): unknown => {
    const copy = structuredClone(base) as Record<string | number, unknown>;
    let node = copy;
    loc.slice(0, -1).forEach((key, i) => {
      node[key] ??= typeof loc[i + 1] === 'number' ? [] : {};
      node = node[key] as Record<string | number, unknown>;
    });
    node[loc[loc.length - 1]] = value;
    return copy;
  };

  const pathValue = (path: string, name: string): string => {
    const parent = created.get(path.slice(0, path.indexOf(`/{${name}}`)));
    const known = parent?.[name] ?? parent?.id;
    if (typeof known === 'string') return encodeURIComponent(known);
    if (name === 'userId') return user.id;
    return name === 'id' || name.endsWith('Id') ? randomUUID() : 'x';
  };

  /** The baseline request and one request per (input, hostile value) of an operation. */
  const casesOf = (method: string, path: string, operation: Operation): Case[] => {
    const op = `${method.toUpperCase()} ${path}`;
    const ownUser = OWN_USER_PER_REQUEST.has(op);
    const params = operation.parameters ?? [];
    const pathNames = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const pathBase = Object.fromEntries(pathNames.map((n) => [n, pathValue(path, n)]));
    const queryBase = Object.fromEntries(
      params.filter((p) => p.in === 'query' && p.required).map((p) => [p.name, encodeURIComponent(String(sample(op, p.schema, p.name)))]),
    );
    const bodySchema = operation.requestBody?.content['application/json']?.schema;
    const bodyBase = bodySchema ? sample(op, bodySchema) : undefined;

    const make = (
      field: string,
      kind: string,
      over: { path?: object; query?: object; headers?: Record<string, string>; body?: unknown },
    ): Case => {
      const p: Record<string, string> = { ...pathBase, ...over.path };
      const q = Object.entries({ ...queryBase, ...over.query });
      const url = path.replace(/\{(\w+)\}/g, (_, n: string) => p[n]) + (q.length ? `?${q.map(([k, v]) => `${k}=${v}`).join('&')}` : '');
      return { op, field, kind, url, headers: over.headers ?? {}, body: 'body' in over ? over.body : bodyBase, ownUser };
    };

    const cases = [make('-', 'baseline', {})];
    for (const name of pathNames) for (const h of STRINGS) cases.push(make(`path.${name}`, h.kind, { path: { [name]: h.url } }));
    for (const p of params.filter((x) => x.in === 'query'))
      for (const h of STRINGS) cases.push(make(`query.${p.name}`, h.kind, { query: { [p.name]: h.url } }));
    for (const p of params.filter((x) => x.in === 'header')) {
      for (const h of HEADER_SAFE) cases.push(make(`header.${p.name}`, h.kind, { headers: { [p.name]: h.json as string } }));
    }
    if (bodySchema) {
      const targets = new Map<string, { loc: Loc; values: Hostile[] }>();
      bodyTargets(bodySchema, [], targets);
      stringLeaves(bodyBase, [], targets);
      for (const { loc, values } of targets.values()) {
        for (const h of values) cases.push(make(`body.${loc.join('.')}`, h.kind, { body: setAt(bodyBase, loc, h.json) }));
      }
    }
    return cases;
  };

  const send = async (c: Case): Promise<Result> => {
    const caller = c.ownUser ? await registerAndLogin(t) : user;
    const [method, path] = c.op.split(' ');
    const verb = method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
    let req = t.http()[verb](c.url).set(bearer(caller.accessToken)).set(c.headers);
    if (c.body !== undefined) req = req.send(c.body as object);
    const res: Response = await req;
    if (
      c.kind === 'baseline' &&
      res.status < 300 &&
      method !== 'GET' &&
      res.body &&
      typeof res.body === 'object' &&
      !Array.isArray(res.body)
    ) {
      created.set(path, res.body);
    }
    return { c, status: res.status, body: res.body };
  };

  /** Runs `fn` over `items`, `width` at a time. */
  async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const out: R[] = [];
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    };
    await Promise.all(Array.from({ length: width }, worker));
    return out;
  }

  it('documents the inputs read from the query or the body as a JSON body', () => {
    const bodyOf = (op: string) => {
      const [method, path] = op.split(' ');
      return doc.paths[path]?.[method.toLowerCase()]?.requestBody?.content['application/json']?.schema;
    };
    expect(QUERY_OR_BODY.filter((op) => !deref(bodyOf(op)).properties)).toEqual([]);
  });

  it('answers every hostile string with a 4xx and a detail, never a 5xx', async () => {
    const skipped: string[] = [];
    const ops: { method: string; path: string; operation: Operation; phase: number }[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/') || path.startsWith('/api/v1/')) continue; // /api/v1 serves the same handlers
      for (const [method, operation] of Object.entries(item)) {
        const content = operation.requestBody?.content ?? {};
        if (Object.keys(content).length && !content['application/json']) {
          skipped.push(`${method.toUpperCase()} ${path} (${Object.keys(content).join(', ')})`);
          continue;
        }
        // parents before children (their ids fill the path); deletions last, children first
        const depth = (path.match(/\{/g) ?? []).length;
        ops.push({ method, path, operation, phase: method === 'delete' ? 100 - depth : depth });
      }
    }
    expect(ops.length).toBeGreaterThan(50);

    const results: Result[] = [];
    for (const phase of [...new Set(ops.map((o) => o.phase))].sort((a, b) => a - b)) {
      // operations side by side, each one's requests in turn (baseline first): concurrent writes to
      // one row are not what this test is about
      const perOp = ops.filter((o) => o.phase === phase).map((o) => casesOf(o.method, o.path, o.operation));
      const done = await pool(perOp, 8, async (cases) => {
        const out: Result[] = [];
        for (const c of cases) out.push(await send(c));
        return out;
      });
      results.push(...done.flat());
    }

    const show = (r: Result) => `${r.c.op} ${r.c.field} ${r.c.kind} -> ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
    const fuzzed = results.filter((r) => r.c.kind !== 'baseline');
    const failures = results.filter((r) => r.status >= 500).map(show);
    const withoutDetail = results
      .filter((r) => r.status >= 400 && r.status < 500 && (r.body as { detail?: unknown })?.detail === undefined)
      .map(show);
    const throttled = results.filter((r) => r.status === 429).length;
    process.stdout.write(
      `hostile strings: ${ops.length} operations, ${new Set(fuzzed.map((r) => `${r.c.op} ${r.c.field}`)).size} inputs, ` +
        `${results.length} requests (${fuzzed.filter((r) => r.status < 400).length} hostile ones accepted, ${throttled} throttled); ` +
        `skipped: ${skipped.join('; ') || 'none'}\n`,
    );

    expect({ failures, withoutDetail }).toEqual({ failures: [], withoutDetail: [] });
    // most requests must reach the handlers, not the rate limiter
    expect(throttled).toBeLessThan(results.length / 20);
  });
});
