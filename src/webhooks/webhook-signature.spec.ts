import { generateSecret, secretKey, sign, verify } from './webhook-signature';

describe('Standard Webhooks signatures', () => {
  it('reproduces the specification’s test vector', () => {
    expect(
      sign(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('generates whsec_ secrets of 32 random key bytes', () => {
    const a = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(secretKey(a)?.length).toBe(32);
    expect(generateSecret()).not.toBe(a);
  });

  it('refuses secrets without the prefix, with bad base64 or with too few key bytes', () => {
    expect(secretKey('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBeUndefined();
    expect(secretKey('whsec_not base64!')).toBeUndefined();
    expect(secretKey(`whsec_${Buffer.alloc(8).toString('base64')}`)).toBeUndefined();
  });

  it('verifies one of several signatures and rejects a tampered body', () => {
    const s = generateSecret();
    const sig = sign(s, 'msg_1', 100, '{}');
    expect(verify(s, 'msg_1', 100, '{}', `v1,bogus ${sig}`)).toBe(true);
    expect(verify(s, 'msg_1', 100, '{"x":1}', sig)).toBe(false);
    expect(verify(s, 'msg_1', 101, '{}', sig)).toBe(false);
  });
});
