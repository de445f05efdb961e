import { describe, expect, it } from 'vitest';
import { apiErrorSchema } from '@/lib/api/contracts';
import { errorToResponse, isUnavailableError, TimeoutError, withTimeout } from '@/lib/api/http';

describe('isUnavailableError', () => {
  it('recognises connection failures of PostgreSQL, Redis and Node sockets, also nested', () => {
    expect(isUnavailableError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnavailableError(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(true);
    expect(isUnavailableError(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
    expect(isUnavailableError(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(isUnavailableError(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], ''))).toBe(true);
    expect(isUnavailableError(new Error('wrapped', { cause: new TimeoutError('slow') }))).toBe(true);
  });

  it('treats everything else as a bug', () => {
    expect(isUnavailableError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false);
    expect(isUnavailableError(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isUnavailableError('string')).toBe(false);
  });
});

describe('errorToResponse', () => {
  it('answers 503, 400 for foreign cursors, and 500 with the error envelope', async () => {
    const down = errorToResponse(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 'test');
    expect(down.status).toBe(503);
    expect(apiErrorSchema.parse(await down.json()).error.code).toBe('service_unavailable');
    const cursor = Object.assign(new Error('cursor is not one returned by this API'), { name: 'InvalidCursorError' });
    const bad = errorToResponse(cursor, 'test');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'invalid_parameter', message: 'cursor: cursor is not one returned by this API' } });
    const bug = errorToResponse(new TypeError('boom'), 'test');
    expect(bug.status).toBe(500);
    expect((await bug.json()).error.message).not.toMatch(/boom/);
  });
});

describe('withTimeout', () => {
  it('rejects with a TimeoutError when the promise is too slow', async () => {
    await expect(withTimeout(new Promise(() => {}), 10, 'Redis')).rejects.toBeInstanceOf(TimeoutError);
    await expect(withTimeout(Promise.resolve(5), 10, 'x')).resolves.toBe(5);
  });
});
