// Engine II queries: the hypervisor's bus2bridge table and upstream-bridge walks, VT-d context entries,
// a KVM host's vfio devices and the guests' pending driver work.
import { canonicalBdf, hex } from './core/format';
import type { HostState } from './core/state';
import { fail } from './core/errors';
import { bus2bridgeView, findUpstreamBridge, type UpstreamBridge } from './xen/pdev';
import { iommuGroupOf } from './kvm/vfio';

/** pseg->bus2bridge as `{ bus: "BB:DD.F" }` (the shape seed 003 prints: `6 -> 06:00.0`); {} without one. */
export function bus2bridge(s: HostState): Record<number, string> {
  return bus2bridgeView(s);
}

/** find_upstream_bridge() for a device address, as the hypervisor would run it now. */
export function upstreamBridgeWalk(
  s: HostState,
  bdfIn: string,
): UpstreamBridge & { bridge: string | null } {
  const bdf = canonicalBdf(bdfIn);
  const seg = Number.parseInt(bdf.slice(0, 4), 16);
  const bus = Number.parseInt(bdf.slice(5, 7), 16);
  const devfn = (Number.parseInt(bdf.slice(8, 10), 16) << 3) | Number(bdf[11]);
  const r = findUpstreamBridge(s, seg, bus, devfn);
  const bridge =
    r.ret === 1 ? `${hex(seg, 4)}:${hex(r.bus, 2)}:${hex(r.devfn >> 3, 2)}.${r.devfn & 7}` : null;
  return { ...r, bridge };
}

/** VT-d context entries present: requester id → owning domid. */
export function vtdContexts(s: HostState): Record<string, number> {
  return { ...(s.xen.vtdContexts ?? {}) };
}

export interface VfioDeviceInfo {
  bdf: string;
  group: number;
  owner: number | null;
  irqType: 'none' | 'msix';
  vectors: {
    entry: number;
    irq: number;
    trigger: number;
    name: string | null;
    msg: { addrLo: number; addrHi: number; data: number };
  }[];
}

/** A KVM host's devices bound to vfio-pci (`unknown-device` on other hosts for a specific BDF). */
export function vfioDevices(s: HostState, bdfIn?: string): VfioDeviceInfo[] {
  const all = Object.values(s.kvm?.vfio ?? {}).map((v) => ({
    bdf: v.bdf,
    group: iommuGroupOf(s, v.bdf),
    owner: v.owner,
    irqType: v.irqType,
    vectors: v.vectors.map((x, entry) => ({
      entry,
      irq: x.irq,
      trigger: x.trigger,
      name: x.name,
      msg: { ...x.msg },
    })),
  }));
  if (bdfIn === undefined) return all.sort((a, b) => (a.bdf < b.bdf ? -1 : 1));
  const bdf = canonicalBdf(bdfIn);
  const hit = all.filter((v) => v.bdf === bdf);
  if (hit.length === 0) fail('unknown-device', `${bdf} is not bound to vfio-pci`);
  return hit;
}

export interface GuestWorkInfo {
  domain: string;
  domid: number;
  task: string;
  kind: string;
  dev: string;
  step: number;
  wakeAt: number | null;
}

/** Driver work queued or sleeping in the guests (nvme reset_work, the ipr reset job). */
export function guestWork(s: HostState): GuestWorkInfo[] {
  const sched = s.sched;
  if (!sched) return [];
  return sched.order.map((k) => {
    const t = sched.tasks[k];
    return {
      domain: t.domain,
      domid: t.domid,
      task: t.id,
      kind: t.kind,
      dev: t.dev,
      step: t.step,
      wakeAt: t.wakeAt,
    };
  });
}
