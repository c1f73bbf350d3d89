// Seed 003 (003_0251ca305827a040.txt): "6 -> 06:00.0, 7 -> 06:00.0, 8 -> 07:01.0 ... for devices on bus
// 8, 7 and 6 we would never find the upstream bridge ... find_upstream_bridge ends up looping 255 times
// around and returns -1". The walk and its bound, on the document's exact table and on the fixed one.
import { findUpstreamBridge, bus2bridgeView } from './pdev';
import { createWith } from '../testing/fixtures2';

function withTable(map: Record<string, string | null>): ReturnType<typeof createWith> {
  const d = createWith('xen44-assign-busses', 'xen-4.4-linux-3.13');
  d.run({ type: 'xen.debug.bus2bridge', map });
  return d;
}

describe('find_upstream_bridge() on the bus2bridge table of seed 003', () => {
  it('walks 8 → 7 → 6 → 6 … and gives up with -1 after MAX_BUSES + 1 iterations', () => {
    const d = withTable({ '6': '06:00.0', '7': '06:00.0', '8': '07:01.0' });
    const r = findUpstreamBridge(d.state, 0, 8, 0);
    expect(r.ret).toBe(-1);
    expect(r.iterations).toBe(257);
    expect(r.walk.slice(0, 6)).toEqual([8, 7, 6, 6, 6, 6]);
    // What the loop leaves in bus/devfn is what set_msi_source_id() prints: 06:00.0.
    expect([r.bus, r.devfn]).toEqual([6, 0]);
  });

  it('stops at the Tundra once entry 6 is gone: 8 → 7 → 6, bridge 06:00.0, secondary bus 07', () => {
    const d = withTable({ '6': null, '7': '06:00.0', '8': '07:01.0' });
    const r = findUpstreamBridge(d.state, 0, 8, 0);
    expect(r).toMatchObject({ ret: 1, bus: 6, devfn: 0, secbus: 7, walk: [8, 7, 6] });
  });

  it('returns 0 for bus 0 and for a bus without an entry', () => {
    const d = withTable({ '6': null, '7': null, '8': null });
    expect(findUpstreamBridge(d.state, 0, 0, 0x08).ret).toBe(0);
    expect(findUpstreamBridge(d.state, 0, 8, 0).ret).toBe(0);
    expect(bus2bridgeView(d.state)).toEqual({});
  });

  it('the fixture command refuses a malformed table and a host without a bus2bridge (state unchanged)', () => {
    const d = createWith('xen44-assign-busses', 'xen-4.4-linux-3.13');
    expect(() => d.run({ type: 'xen.debug.bus2bridge', map: { '300': '06:00.0' } })).toThrow(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
    const rhel = createWith('rhbz688673', 'rhel5-2.6.18-274');
    expect(() => rhel.run({ type: 'xen.debug.bus2bridge', map: { '6': '06:00.0' } })).toThrow(
      expect.objectContaining({ code: 'invalid-state' }),
    );
  });
});
