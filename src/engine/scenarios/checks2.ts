// Engine II scenario expectations: the hypervisor's upstream-bridge walk, VT-d context entries, the
// physical MSI-X table and guest driver bindings, read from the state at a labelled step.
import { canonicalBdf, splitBdf } from '../core/format';
import type { HostState } from '../core/state';
import { findUpstreamBridge } from '../xen/pdev';
import { byDomid } from '../core/domtab';

export type Engine2Expectation =
  /** find_upstream_bridge() for `bdf` returns `ret` (and, for 1, that bridge; the walk starts like `walk`). */
  | {
      kind: 'upstream-bridge';
      at: string;
      bdf: string;
      ret: -1 | 0 | 1;
      bridge?: string;
      walk?: number[];
    }
  /** A VT-d context entry for requester id `rid` is present for `domain` (null: no entry at all). */
  | { kind: 'iommu-context'; at: string; rid: string; domain: string | null }
  /** The device's physical MSI-X entry holds a zero message (what a backdoor reset leaves). */
  | { kind: 'msix-entry'; at: string; bdf: string; entry: number; zeroed: boolean }
  /** In `domain`, the host device `bdf` is bound to `driver` (null: no driver). */
  | { kind: 'guest-driver'; at: string; domain: string; bdf: string; driver: string | null };

export function describe2(e: Engine2Expectation): string {
  switch (e.kind) {
    case 'upstream-bridge':
      return `find_upstream_bridge(${e.bdf}) returns ${e.ret}${e.bridge ? ` at ${e.bridge}` : ''}${
        e.walk ? ` walking ${e.walk.join(' → ')} …` : ''
      } after '${e.at}'`;
    case 'iommu-context':
      return `VT-d context ${e.rid} ${e.domain === null ? 'absent' : `mapped for ${e.domain}`} after '${e.at}'`;
    case 'msix-entry':
      return `${e.bdf} MSI-X entry ${e.entry} ${e.zeroed ? 'zeroed' : 'holds a message'} after '${e.at}'`;
    case 'guest-driver':
      return `${e.domain}: ${e.bdf} bound to ${e.driver ?? 'no driver'} after '${e.at}'`;
  }
}

function domidOf(s: HostState, domain: string): number | null {
  return s.domains[domain]?.domid ?? (domain === 'Domain-0' ? 0 : null);
}

export function check2(e: Engine2Expectation, s: HostState): { ok: boolean; detail: string } {
  switch (e.kind) {
    case 'upstream-bridge': {
      const a = splitBdf(canonicalBdf(e.bdf));
      const r = findUpstreamBridge(s, a.seg, a.bus, a.devfn);
      const at = `${r.bus.toString(16).padStart(2, '0')}:${(r.devfn >> 3).toString(16).padStart(2, '0')}.${r.devfn & 7}`;
      const walkOk = !e.walk || e.walk.every((b, i) => r.walk[i] === b);
      const ok = r.ret === e.ret && (!e.bridge || at === e.bridge) && walkOk;
      return {
        ok,
        detail: `ret ${r.ret} at ${at} after ${r.iterations} iterations, walk ${r.walk.join(' → ')}`,
      };
    }
    case 'iommu-context': {
      const owner = s.xen.vtdContexts?.[canonicalBdf(e.rid)];
      const want = e.domain === null ? undefined : domidOf(s, e.domain);
      const ok = e.domain === null ? owner === undefined : owner !== undefined && owner === want;
      return { ok, detail: owner === undefined ? 'no context entry' : `owned by d${owner}` };
    }
    case 'msix-entry': {
      const fn = s.hw.fns[canonicalBdf(e.bdf)];
      if (!fn) return { ok: false, detail: 'no such device' };
      const t = fn.table;
      const zero = t[e.entry * 4] === 0 && t[e.entry * 4 + 1] === 0 && t[e.entry * 4 + 2] === 0;
      return {
        ok: zero === e.zeroed,
        detail: `addr ${(t[e.entry * 4] >>> 0).toString(16)} data ${(t[e.entry * 4 + 2] >>> 0).toString(16)}`,
      };
    }
    case 'guest-driver': {
      const domid = s.domains[e.domain]?.domid;
      const g = domid === null || domid === undefined ? undefined : byDomid(s.guests, domid);
      if (!g) return { ok: false, detail: `${e.domain} is not running` };
      const host = canonicalBdf(e.bdf);
      const dev = Object.values(g.pci).find((d) => d.hostBdf === host);
      if (!dev) return { ok: false, detail: `${host} is not in the guest` };
      return { ok: dev.driver === e.driver, detail: `bound to ${dev.driver ?? 'no driver'}` };
    }
  }
}
