// Standard Webhooks (standardwebhooks.com) signing: secrets are `whsec_` + base64(key bytes);
// `webhook-signature` is `v1,` + base64(HMAC-SHA256(key bytes, `${id}.${timestamp}.${body}`)).
import { createHmac, randomBytes, timingSafeEqual } from 'crypto';

export const SECRET_PREFIX = 'whsec_';
const KEY_MIN = 24;
const KEY_MAX = 64;

export function generateSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The key bytes of a `whsec_…` secret, or undefined when it is not one (24..64 bytes). */
export function secretKey(secret: string): Buffer | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return undefined;
  const b64 = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
  const key = Buffer.from(b64, 'base64');
  return key.length >= KEY_MIN && key.length <= KEY_MAX ? key : undefined;
}

export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = secretKey(secret);
  if (!key) throw new Error('not a whsec_ secret');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** True when one of the space-separated `v1,` signatures in `header` matches. */
export function verify(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
  header: string,
): boolean {
  const expected = Buffer.from(sign(secret, id, timestamp, body));
  return header
    .split(' ')
    .map((s) => Buffer.from(s))
    .some((s) => s.length === expected.length && timingSafeEqual(s, expected));
}
