import fc from 'fast-check';
import { jsonSafe } from './json-safe';

function viaJson(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)),
  ) as unknown;
}

describe('jsonSafe', () => {
  it('gives what a JSON round trip gives, bigints as decimal strings', () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        fc.string(),
        fc.double(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.bigInt(),
        fc.date({ noInvalidDate: true }),
      ),
      node: fc.oneof(
        { depthSize: 'small' },
        tie('leaf'),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.sparseArray(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value.node, { maxKeys: 5 }), (data) => {
        expect(jsonSafe(data)).toStrictEqual(viaJson(data));
      }),
    );
  });

  it('keeps a __proto__ key as a key and writes -0 as 0', () => {
    const data = JSON.parse('{"__proto__": {"a": 1}, "z": -0}') as Record<string, unknown>;
    data.z = -0;
    const copy = jsonSafe(data);
    expect(Object.keys(copy)).toEqual(['__proto__', 'z']);
    expect(Object.is(copy.z, 0)).toBe(true);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it('detaches the copy from its input', () => {
    const data = { a: { b: [1, 2n] } };
    const copy = jsonSafe(data);
    data.a.b.push(3);
    expect(copy).toEqual({ a: { b: [1, '2'] } });
  });

  it('uses toJSON like JSON does', () => {
    const when = new Date(0);
    expect(jsonSafe({ when, nested: { toJSON: () => 'x' } })).toEqual({
      when: '1970-01-01T00:00:00.000Z',
      nested: 'x',
    });
  });
});
