// HMAC-SHA256 signature of a webhook body, so a receiver can check it came from us and was not
// replayed: the signed text is "<unix seconds>.<body>", sent as two headers.

import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-bgp-observatory-signature';
export const TIMESTAMP_HEADER = 'x-bgp-observatory-timestamp';

export function signBody(secret: string, body: string, unixSeconds: number): string {
  return `sha256=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

/** Headers to add to the POST: empty without a secret. */
export function signatureHeaders(secret: string | null, body: string, unixSeconds: number): Record<string, string> {
  if (secret === null) return {};
  return { [SIGNATURE_HEADER]: signBody(secret, body, unixSeconds), [TIMESTAMP_HEADER]: String(unixSeconds) };
}

/** Receiver side (and tests): constant-time comparison; false for a malformed header. */
export function verifySignature(secret: string, body: string, unixSeconds: number, header: string): boolean {
  const expected = Buffer.from(signBody(secret, body, unixSeconds));
  const got = Buffer.from(header);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
