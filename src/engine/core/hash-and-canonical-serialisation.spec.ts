// stateHash() = SHA-256 over a canonical serialisation (sorted keys), computed without node:crypto.
import fc from 'fast-check';
import { createHash } from 'crypto';
import { canonicalJson, sha256Hex } from './hash';

describe('hash', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('property: equals node:crypto on arbitrary unicode strings (the test may use it; the engine does not)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
      }),
    );
  });

  it('canonical JSON sorts object keys and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
  });

  it('property: key order does not change the serialisation', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.integer()), (o) => {
        const reversed = Object.fromEntries(Object.entries(o).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(o));
      }),
    );
  });
});
