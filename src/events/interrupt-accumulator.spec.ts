import { InterruptAccumulator } from './interrupt-accumulator';

const vf = (entry: number, delivered: number, lost: Record<string, number> = {}) => ({
  domain: 'rhel56-64bit-pv',
  domid: 1,
  bdf: '0000:01:10.0',
  entry,
  pirq: 60 + entry,
  delivered,
  lost,
});

describe('interrupt counters coalesced per vector per interval', () => {
  it('sums deliveries and losses per vector across engine steps', () => {
    const sut = new InterruptAccumulator();
    sut.add(vf(0, 10), '100');
    sut.add(vf(1, 5), '100');
    sut.add(vf(0, 7, { masked: 2 }), '200');
    sut.add(vf(0, 0, { unmapped: 3, unbound: 1 }), '300');
    const { vectors, virtualTimeNs } = sut.drain();
    expect(virtualTimeNs).toBe('300');
    expect(vectors).toEqual([
      { ...vf(0, 17), lost: { masked: 2, disabled: 0, unmapped: 3, unbound: 1 } },
      { ...vf(1, 5), lost: { masked: 0, disabled: 0, unmapped: 0, unbound: 0 } },
    ]);
  });

  it('starts from zero after a drain: each message carries counts since the previous one', () => {
    const sut = new InterruptAccumulator();
    sut.add(vf(0, 10), null);
    sut.drain();
    expect(sut.isEmpty).toBe(true);
    sut.add(vf(0, 0, { unmapped: 4 }), null);
    expect(sut.drain().vectors[0]).toMatchObject({ delivered: 0, lost: { unmapped: 4 } });
  });

  it('ignores negative or non-numeric counters', () => {
    const sut = new InterruptAccumulator();
    sut.add({ ...vf(0, -5), lost: { masked: Number.NaN } }, null);
    expect(sut.drain().vectors[0]).toMatchObject({ delivered: 0, lost: { masked: 0 } });
  });
});
