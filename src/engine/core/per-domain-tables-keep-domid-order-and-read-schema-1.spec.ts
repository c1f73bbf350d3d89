// Per-domain tables (core/domtab.ts) are arrays in domid order; a schema 1 snapshot, which keyed them by
// `d<domid>`, restores to the same state as the arrays, and the host carries on exactly as it would have.
import type { Command } from '../commands';
import { apply, createHost, restore, snapshot, stateHash } from '../host';
import type { EngineEvent } from './events';
import type { HostState } from './state';
import { getScenario } from '../scenarios';
import { canonicalJson } from './hash';
import { byDomid, dropByDomid, legacyTable, ofDomid, putByDomid } from './domtab';
import { STATE_SCHEMA } from './state';

const rec = (domid: number, tag = ''): { domid: number; tag: string } => ({ domid, tag });

describe('per-domain tables', () => {
  it('putByDomid inserts in domid order and replaces a domid it already has', () => {
    const t = [rec(0), rec(7)];
    putByDomid(t, rec(3));
    putByDomid(t, rec(9));
    putByDomid(t, rec(7, 'again'));
    expect(t).toEqual([rec(0), rec(3), rec(7, 'again'), rec(9)]);
  });

  it('dropByDomid removes only that domid; byDomid and ofDomid find by domid, not by position', () => {
    const t = [rec(0), rec(3), rec(7)];
    dropByDomid(t, 3);
    dropByDomid(t, 42);
    expect(t).toEqual([rec(0), rec(7)]);
    expect(byDomid(t, 7)).toBe(t[1]);
    expect(byDomid(t, 1)).toBeUndefined();
    expect(() => ofDomid(t, 1)).toThrow('no record for domid 1');
  });

  it('legacyTable reads d<domid> records in domid order and refuses anything else', () => {
    expect(legacyTable({ d10: rec(10), d2: rec(2) })).toEqual([rec(2), rec(10)]);
    expect(legacyTable({})).toEqual([]);
    expect(legacyTable([rec(1)])).toBeNull();
    expect(legacyTable({ d3: rec(4) })).toBeNull();
    expect(legacyTable({ d3: null })).toBeNull();
    expect(legacyTable('d3')).toBeNull();
  });
});

/** Run scenario steps as the runner does: a step the scenario expects to be refused changes nothing. */
function run(state: HostState, commands: Command[]): { state: HostState; events: EngineEvent[] } {
  let st = state;
  const events: EngineEvent[] = [];
  for (const c of commands) {
    try {
      const r = apply(st, c);
      st = r.state;
      events.push(...r.events);
    } catch (e) {
      events.push({ refused: String(e) } as unknown as EngineEvent);
    }
  }
  return { state: st, events };
}

/** The parts of a snapshot that schema 1 shaped differently. */
interface Snap {
  schema: number;
  xen: { domains: unknown; vectors: unknown };
  guests: unknown;
  qemu: unknown;
  dom0: { pciback: { backends: unknown } | null };
}

/** The state as schema 1 stored it: per-domain tables keyed by `d<domid>`, vectors by `v<cpu>.<vector>`. */
function schema1(json: string): Snap {
  const v = JSON.parse(json) as Snap;
  const keyed = (t: unknown): Record<string, unknown> =>
    Object.fromEntries((t as { domid: number }[]).map((r) => [`d${r.domid}`, r]));
  v.schema = 1;
  v.xen.domains = keyed(v.xen.domains);
  const vectors: Record<string, unknown> = {};
  (v.xen.vectors as (object | null)[][]).forEach((perCpu, cpu) =>
    perCpu.forEach((use, vector) => {
      if (use !== null) vectors[`v${cpu}.${vector}`] = use;
    }),
  );
  v.xen.vectors = vectors;
  v.guests = keyed(v.guests);
  v.qemu = keyed(v.qemu);
  const pb = v.dom0.pciback as { backends: unknown };
  pb.backends = keyed(pb.backends);
  return v;
}

describe('restore() of a schema 1 snapshot', () => {
  // Owner transitions boot PV and HVM guests: hypervisor domains, guest kernels, a device model and a
  // pciback backend are all in the state half-way through.
  const def = getScenario('rhbz688673-owner-transitions');
  const commands: Command[] = def.steps.map((s) => s.command);
  const created = createHost({ type: 'host.create', template: def.template });
  const half = Math.floor(commands.length / 2);

  it('gives the state the arrays hold, and the host goes on exactly as before', () => {
    let mid = run(created.state, commands.slice(0, half)).state;
    // Pick a point where every per-domain table is in use.
    let at = half;
    while (
      at < commands.length &&
      !(mid.qemu.length > 0 && mid.guests.length > 0 && mid.dom0.pciback.backends.length > 0)
    ) {
      mid = run(mid, [commands[at]]).state;
      at++;
    }
    expect(at).toBeLessThan(commands.length);
    expect(mid.xen.domains.length).toBeGreaterThan(2);
    const old = JSON.stringify(schema1(snapshot(mid)));
    expect(old.includes('"guests":{"d')).toBe(true);
    expect(/"vectors":\{"v0\.\d+":\{/.test(old)).toBe(true);
    const back = restore(old);
    expect(back.schema).toBe(STATE_SCHEMA);
    expect(canonicalJson(back)).toBe(canonicalJson(mid));
    const rest = commands.slice(at);
    const a = run(mid, rest);
    const b = run(back, rest);
    expect(stateHash(b.state)).toBe(stateHash(a.state));
    expect(canonicalJson(b.events)).toBe(canonicalJson(a.events));
  });

  it.each<[string, (v: Snap) => void]>([
    ['guests', (v) => (v.guests = { d3: { domid: 4 } })],
    ['xen.domains', (v) => (v.xen.domains = [])],
    ['xen.vectors', (v) => (v.xen.vectors = { 'v0.x': { domid: 0 } })],
    ['dom0.pciback', (v) => (v.dom0.pciback = null)],
  ])('refuses one whose %s is not what schema 1 had', (path, spoil) => {
    const v = schema1(snapshot(created.state));
    spoil(v);
    expect(() => restore(JSON.stringify(v))).toThrow(
      expect.objectContaining({
        code: 'snapshot-invalid',
        message: expect.stringContaining(`'${path}'`) as unknown,
      }),
    );
  });
});
