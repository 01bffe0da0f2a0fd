import { EventEmitter } from 'node:events';
import { IsOptional, IsString } from 'class-validator';
import { AppValidationPipe } from './validation.pipe';

class Dto {
  @IsOptional()
  @IsString()
  name?: string;
}

describe('AppValidationPipe', () => {
  const pipe = new AppValidationPipe();

  it('passes a gateway handler’s socket through untouched (Nest pipes every gateway argument)', async () => {
    // what a Socket.IO gateway's @ConnectedSocket() argument looks like to a global pipe:
    // a 'custom' argument, an object of a class, deeply nested (the server, the engine, …)
    const socket = new EventEmitter() as EventEmitter & { server?: unknown };
    let node: Record<string, unknown> = {};
    socket.server = node;
    for (let i = 0; i < 100; i++) node = (node.next = {}) as Record<string, unknown>;
    await expect(pipe.transform(socket, { type: 'custom', metatype: Function })).resolves.toBe(socket);
    await expect(pipe.transform(socket, { type: 'custom', metatype: EventEmitter })).resolves.toBe(socket);
  });

  it('still validates plain inputs: JSON bodies and query objects', async () => {
    await expect(pipe.transform({ extra: 1 }, { type: 'body', metatype: Dto })).rejects.toMatchObject({ status: 422 });
    // Fastify's query-string parser builds its result the way this does
    const Empty = function () {} as unknown as new () => object;
    Empty.prototype = Object.create(null) as object;
    const query = Object.assign(new Empty(), { name: 'x', cache_buster: '1' });
    await expect(pipe.transform(query, { type: 'query', metatype: Dto })).resolves.toEqual(Object.assign(new Dto(), { name: 'x' }));
    const bad = Object.assign(new Empty(), { name: ['x', 'y'] });
    await expect(pipe.transform(bad, { type: 'query', metatype: Dto })).rejects.toMatchObject({ status: 422 });
    await expect(pipe.transform('text', { type: 'body', metatype: Dto })).rejects.toMatchObject({ status: 422 });
  });
});
