import { BadRequestException, HttpException, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { tooManyRequests } from '../http-errors';
import { toErrorResponse } from './error-response';

describe('toErrorResponse', () => {
  it('keeps a plain message as detail', () => {
    expect(toErrorResponse(new BadRequestException('Email already registered'))).toMatchObject({
      status: 400,
      body: { detail: 'Email already registered' },
    });
    expect(toErrorResponse(new NotFoundException()).body).toEqual({ detail: 'Not Found' });
  });

  it('passes a {detail} body through (validation errors)', () => {
    const detail = [{ loc: ['body', 'email'], msg: 'bad', type: 'isEmail' }];
    expect(toErrorResponse(new UnprocessableEntityException({ detail }))).toMatchObject({ status: 422, body: { detail } });
  });

  it('carries headers such as Retry-After', () => {
    expect(toErrorResponse(tooManyRequests('slow down', 2.2))).toMatchObject({ status: 429, headers: { 'Retry-After': '3' } });
  });

  it('unwraps Fastify parser errors: bad JSON → 422, too large → 413', () => {
    const json = Object.assign(new Error('Body is not valid JSON'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 });
    expect(toErrorResponse(new HttpException(json.message, 400, { cause: json }))).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ['body'], type: 'json_invalid', msg: expect.any(String) }] },
    });
    const big = Object.assign(new Error('too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    expect(toErrorResponse(new HttpException(big.message, 413, { cause: big })).status).toBe(413);
  });

  it('a NUL that PostgreSQL refused (text 22021, jsonb 22P05) is a 422 for the client, not a 500', () => {
    for (const code of ['22021', '22P05']) {
      const err = new QueryFailedError('SELECT $1', ['a\u0000b'], Object.assign(new Error('invalid byte sequence'), { code }));
      expect(toErrorResponse(err)).toMatchObject({ status: 422, body: { detail: expect.stringMatching(/must not contain NUL/) } });
    }
    expect(toErrorResponse(Object.assign(new Error('other data error'), { code: '22003' })).status).toBe(500);
  });

  it('hides internals of unexpected errors behind an error_id', () => {
    const res = toErrorResponse(new TypeError('cannot read x of undefined at /srv/secret/path.js'));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ detail: 'Internal server error', error_id: res.errorId });
    expect(JSON.stringify(res.body)).not.toContain('secret');
  });

  it('maps an unreachable database to 503 with Retry-After', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(toErrorResponse(refused)).toMatchObject({ status: 503, headers: { 'Retry-After': expect.any(String) } });
    const timeout = new QueryFailedError(
      'SELECT 1',
      [],
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    );
    expect(toErrorResponse(timeout).status).toBe(503);
  });

  it('does not treat an ordinary query error as an outage', () => {
    const unique = new QueryFailedError('INSERT', [], Object.assign(new Error('duplicate key'), { code: '23505' }));
    expect(toErrorResponse(unique).status).toBe(500);
  });
});
