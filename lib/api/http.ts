// Response helpers for route handlers: one JSON error envelope, and the mapping from thrown
// errors to 503 (a backing service is down) or 500 (a bug).

import type { ApiError } from '@/lib/api/types';
import type { ErrorCode } from '@/lib/api/contracts';
import { getLogger } from '@/lib/log';

const NO_STORE = { 'Cache-Control': 'no-store' };

export function jsonResponse(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: NO_STORE });
}

export function errorResponse(status: number, code: ErrorCode, message: string): Response {
  const body: ApiError = { error: { code, message } };
  return Response.json(body, { status, headers: NO_STORE });
}

export function invalidParameter(message: string): Response {
  return errorResponse(400, 'invalid_parameter', message);
}

/** Raised by withTimeout; always counts as "service unavailable". */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Node socket errors, PostgreSQL SQLSTATE classes 08 (connection) and 57P (shutdown), 53300
// (too many connections), Prisma's "can't reach database" family.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '53300', '3D000', '28000', '28P01', 'P1001', 'P1002', 'P1008', 'P1017',
]);
const UNAVAILABLE_MESSAGES = [
  /connection (is )?(closed|terminated|refused)/i,
  /timeout exceeded when trying to connect/i,
  /stream isn't writeable/i,
  /can't reach database/i,
  /is not set \(npm start/i,
];

/** True when the error means a backing service (PostgreSQL, Redis) cannot be used right now. */
export function isUnavailableError(err: unknown, depth = 0): boolean {
  if (depth > 5 || err === null || typeof err !== 'object') return false;
  if (err instanceof TimeoutError) return true;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(e.message as string))) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isUnavailableError(x, depth + 1))) return true;
  return isUnavailableError(e.cause, depth + 1);
}

export function errorToResponse(err: unknown, route: string): Response {
  const log = getLogger().child({ module: 'api', route });
  // lib/db rejects cursors it did not issue (or that were tampered with) with this error.
  if (err instanceof Error && err.name === 'InvalidCursorError') return invalidParameter(`cursor: ${err.message}`);
  // A filter that passed the contract but that PostgreSQL still cannot use (out-of-range value).
  if (err instanceof Error && err.name === 'EventFilterError') {
    return invalidParameter(/^[a-z_]+: /.test(err.message) ? err.message : `filter: ${err.message}`);
  }
  if (isUnavailableError(err)) {
    log.warn({ err }, 'backing service unavailable');
    return errorResponse(503, 'service_unavailable', 'a backing service (database or Redis) is unavailable; try again shortly');
  }
  log.error({ err }, 'request failed');
  return errorResponse(500, 'internal_error', 'internal error');
}
