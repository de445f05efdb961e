import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signatureHeaders, signBody, TIMESTAMP_HEADER, verifySignature } from '@/lib/alerts/signature';

describe('webhook signature', () => {
  const secret = 'correct horse battery staple';
  it('is HMAC-SHA256 of "<ts>.<body>", hex, prefixed', () => {
    const expected = createHmac('sha256', secret).update('1700000000.{"a":1}').digest('hex');
    expect(signBody(secret, '{"a":1}', 1_700_000_000)).toBe(`sha256=${expected}`);
    // A known vector (computed independently with openssl dgst -sha256 -hmac).
    expect(signBody('key', 'The quick brown fox jumps over the lazy dog', 0)).toBe('sha256=8511f28f7a1949f0c42772b447d68b2daf760f5f0439a20a17e3b4e7cd395763');
  });

  it('gives both headers with a secret and none without', () => {
    expect(signatureHeaders(null, 'x', 1)).toEqual({});
    expect(signatureHeaders(secret, 'x', 5)).toEqual({ [SIGNATURE_HEADER]: signBody(secret, 'x', 5), [TIMESTAMP_HEADER]: '5' });
  });

  it('verifies only the exact body, time and key', () => {
    const sig = signBody(secret, 'body', 10);
    expect(verifySignature(secret, 'body', 10, sig)).toBe(true);
    expect(verifySignature(secret, 'body!', 10, sig)).toBe(false);
    expect(verifySignature(secret, 'body', 11, sig)).toBe(false);
    expect(verifySignature('another key of some length', 'body', 10, sig)).toBe(false);
    expect(verifySignature(secret, 'body', 10, 'sha256=00')).toBe(false);
  });
});
