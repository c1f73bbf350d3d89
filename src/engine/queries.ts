// Pure queries over a host's state: what the API lists (nodedevs, domains, the MSI vector ledger, logs).
import { fail } from './core/errors';
import type { LogSource, LossCounts } from './core/events';
import { canonicalBdf, hex } from './core/format';
import type { BootOptions, HostState, LogLine, LogRing } from './core/state';
import { rawRead } from './pci/config';
import * as R from './pci/constants';
import { modelOf, presentVfs, sriovVfOffset, upstreamBridge } from './pci/hw';
import { pcistubFind, pcistubMatch } from './dom0/pciback/pci_stub';
import {
  IRQ_DELIVERED,
  IRQ_DISABLED,
  IRQ_MASKED,
  IRQ_RAISED,
  IRQ_STRIDE,
  IRQ_UNBOUND,
  IRQ_UNMAPPED,
} from './irq/types';
import { CHANGESETS, type ChangesetInfo } from './profiles/changesets';
import { PROFILES, type ProfileInfo } from './profiles/profiles';
import { TEMPLATES, type HostTemplate } from './templates';
import type { DomainType, HostdevConfig } from './toolstack/types';
import type { DomainState, DomainStateReason } from './core/events';
import { iommuGroupOf } from './kvm/vfio';
import { findDomain } from './toolstack/names';
import { byDomid } from './core/domtab';
import { vectorUse } from './xen/vectors';

export interface HostInfo {
  name: string;
  created: boolean;
  template: string;
  profile: string;
  changesets: string[];
  xenVersion: string;
  boot: BootOptions;
  now: number;
  hostBoots: number;
  iommu: boolean;
  cpus: number;
}

export function hostInfo(s: HostState): HostInfo {
  return {
    name: s.name,
    created: s.created,
    template: s.template,
    profile: s.profile,
    changesets: s.changesets.slice(),
    xenVersion: s.xenVersion,
    boot: { ...s.boot, modprobe: s.boot.modprobe.slice() },
    now: s.now,
    hostBoots: s.hostBoots,
    iommu: s.xen.iommu.enabled,
    cpus: s.hw.cpus,
  };
}

export interface DeviceInfo {
  bdf: string;
  /** 4-digit hex IDs as lspci -nn shows them. */
  vendor: string;
  device: string;
  classCode: string;
  /** Revision ID, 2 hex digits (lspci's `(rev 01)`). */
  revision: string;
  name: string;
  /** The dom0 driver bound (igb, igbvf, pciback, …), null if none. */
  driver: string | null;
  capabilities: string[];
  /** SR-IOV: the PF of a VF, the VFs of a PF. */
  physfn: string | null;
  virtfns: string[];
  sriov: {
    totalVfs: number;
    numVfs: number;
    vfOffset: number;
    vfStride: number;
    ari: boolean;
  } | null;
  /** Devices that must be assigned together (null without an IOMMU). */
  iommuGroup: number | null;
  pciback: { slot: boolean; seized: boolean };
  assignedTo: { domain: string; domid: number } | null;
  msix: { entries: number; enabled: boolean; maskAll: boolean } | null;
  parentBridge: string | null;
  /** A bridge's (type 1 header) bus numbers, as lspci -tv draws them (`-[01-02]-`); null otherwise. */
  bridgeBuses: { primary: number; secondary: number; subordinate: number } | null;
}

function capabilitiesOf(s: HostState, bdf: string): string[] {
  const m = modelOf(s.hw.fns[bdf]);
  const caps: string[] = [];
  if (m.pm) caps.push('pm');
  if (m.msi) caps.push('msi');
  if (m.msix) caps.push('msix');
  if (m.pcie) caps.push('pcie');
  if (m.pcie?.flr) caps.push('flr');
  if (m.ari) caps.push('ari');
  if (m.sriov) caps.push('sriov');
  if (m.bist) caps.push('bist');
  return caps;
}

function iommuGroups(s: HostState): Map<string, number> {
  const groups = new Map<string, number>();
  if (s.kvm) {
    // Engine II: a KVM host's iommu_groups (kvm/vfio.ts).
    for (const bdf of Object.keys(s.dom0.pci))
      if (s.hw.fns[bdf]) groups.set(bdf, iommuGroupOf(s, bdf));
    return groups;
  }
  if (!s.xen.iommu.enabled) return groups;
  const keyOf = new Map<string, string>();
  for (const bdf of Object.keys(s.dom0.pci).sort()) {
    const fn = s.hw.fns[bdf];
    if (!fn) continue;
    const up = upstreamBridge(s, fn);
    // Behind a PCIe-to-PCI bridge every requester ID is the bridge's: they share its group.
    const key = up && modelOf(up).pcie?.portType === R.PCI_EXP_TYPE_PCI_BRIDGE ? up.bdf : bdf;
    keyOf.set(bdf, key);
  }
  const ids = new Map<string, number>();
  for (const [bdf, key] of keyOf) {
    if (!ids.has(key)) ids.set(key, ids.size);
    groups.set(bdf, ids.get(key) ?? 0);
  }
  return groups;
}

function ownerOf(s: HostState, bdf: string): { domain: string; domid: number } | null {
  const vm = s.kvm?.vfio[bdf]?.owner;
  if (vm !== undefined && vm !== null) {
    const name = Object.values(s.domains).find((d) => d.domid === vm)?.config.name;
    return { domain: name ?? `VM ${vm}`, domid: vm };
  }
  const psdev = pcistubFind(s, bdf);
  if (!psdev || psdev.owner === null) return null;
  const name = Object.values(s.domains).find((d) => d.domid === psdev.owner)?.config.name;
  return { domain: name ?? `domid ${psdev.owner}`, domid: psdev.owner };
}

function deviceInfo(s: HostState, bdf: string, groups: Map<string, number>): DeviceInfo {
  const d = s.dom0.pci[bdf];
  const fn = s.hw.fns[bdf];
  const m = modelOf(fn);
  const sr = m.sriov;
  const msixCtrl = m.msix ? rawRead(fn.cfg, m.msix.offset + R.PCI_MSIX_FLAGS, 2) : 0;
  const up = upstreamBridge(s, fn);
  return {
    bdf,
    vendor: hex(d.vendor, 4),
    device: hex(d.device, 4),
    classCode: hex(d.classCode, 6),
    revision: hex(rawRead(fn.cfg, R.PCI_REVISION_ID, 1), 2),
    name: m.name,
    driver: d.driver,
    capabilities: capabilitiesOf(s, bdf),
    physfn: fn.physfn,
    virtfns: presentVfs(s, bdf).map((v) => v.bdf),
    sriov: sr
      ? {
          totalVfs: rawRead(fn.cfg, sr.offset + R.PCI_SRIOV_TOTAL_VF, 2),
          numVfs: rawRead(fn.cfg, sr.offset + R.PCI_SRIOV_NUM_VF, 2),
          vfOffset: sriovVfOffset(fn),
          vfStride: rawRead(fn.cfg, sr.offset + R.PCI_SRIOV_VF_STRIDE, 2),
          ari: (rawRead(fn.cfg, sr.offset + R.PCI_SRIOV_CTRL, 2) & R.PCI_SRIOV_CTRL_ARI) !== 0,
        }
      : null,
    iommuGroup: groups.get(bdf) ?? null,
    pciback: {
      slot: s.dom0.pciback.loaded && pcistubMatch(s, bdf),
      seized: pcistubFind(s, bdf) !== undefined,
    },
    assignedTo: ownerOf(s, bdf),
    msix: m.msix
      ? {
          entries: m.msix.entries,
          enabled: (msixCtrl & R.PCI_MSIX_FLAGS_ENABLE) !== 0,
          maskAll: (msixCtrl & R.PCI_MSIX_FLAGS_MASKALL) !== 0,
        }
      : null,
    parentBridge: up ? up.bdf : null,
    bridgeBuses:
      m.headerType === 1
        ? {
            primary: rawRead(fn.cfg, R.PCI_PRIMARY_BUS, 1),
            secondary: rawRead(fn.cfg, R.PCI_SECONDARY_BUS, 1),
            subordinate: rawRead(fn.cfg, R.PCI_SUBORDINATE_BUS, 1),
          }
        : null,
  };
}

/** Every PCI function dom0 knows (lspci -D), in BDF order. */
export function listDevices(s: HostState): DeviceInfo[] {
  const groups = iommuGroups(s);
  return Object.keys(s.dom0.pci)
    .filter((b) => s.hw.fns[b])
    .sort()
    .map((b) => deviceInfo(s, b, groups));
}

export function getDevice(s: HostState, bdfIn: string): DeviceInfo {
  const bdf = canonicalBdf(bdfIn);
  if (!s.dom0.pci[bdf] || !s.hw.fns[bdf]) fail('unknown-device', `no PCI device ${bdf}`);
  return deviceInfo(s, bdf, iommuGroups(s));
}

/** xm pci-list-assignable-devices: seized by pciback and not in use. */
export function assignableDevices(s: HostState): string[] {
  return s.dom0.pciback.devices
    .filter((d) => d.owner === null)
    .map((d) => d.dev)
    .sort();
}

export interface DomainInfo {
  name: string;
  uuid: string;
  type: DomainType;
  domid: number | null;
  state: DomainState;
  reason: DomainStateReason;
  memory: number;
  vcpus: number;
  autostart: boolean;
  boots: number;
  hostdevs: HostdevConfig[];
  liveHostdevs: string[];
  onReboot: string;
  onCrash: string;
  guest: {
    netdevs: { name: string; dev: string; hostBdf: string; up: boolean; configured: boolean }[];
    modules: string[];
    pingRates: Record<string, number>;
  } | null;
}

function domainInfo(s: HostState, name: string): DomainInfo {
  const r = s.domains[name];
  const g = r.domid !== null ? byDomid(s.guests, r.domid) : undefined;
  return {
    name,
    uuid: r.config.uuid,
    type: r.config.type,
    domid: r.domid,
    state: r.state,
    reason: r.reason,
    memory: r.config.memory,
    vcpus: r.config.vcpus,
    autostart: r.config.autostart,
    boots: r.boots,
    hostdevs: r.config.hostdevs.map((h) => ({ ...h })),
    liveHostdevs: r.liveHostdevs.slice(),
    onReboot: r.config.onReboot,
    onCrash: r.config.onCrash,
    guest: g
      ? {
          netdevs: Object.values(g.netdevs).map((n) => ({
            name: n.name,
            dev: n.dev,
            hostBdf: g.pci[n.dev]?.hostBdf ?? '',
            up: n.up,
            configured: n.configured,
          })),
          modules: Object.keys(g.modules)
            .filter((m) => g.modules[m])
            .sort(),
          pingRates: { ...g.workloads.ping },
        }
      : null,
  };
}

export function listDomains(s: HostState): DomainInfo[] {
  return Object.keys(s.domains)
    .sort()
    .map((n) => domainInfo(s, n));
}

export function getDomain(s: HostState, name: string): DomainInfo {
  if (!findDomain(s, name)) fail('unknown-domain', `Domain '${name}' does not exist.`);
  return domainInfo(s, name);
}

export interface MsiListEntry {
  dev: string;
  pirqs: { pirq: number; entry: number }[];
  maskBase: string | null;
  defaultIrq: number;
}

/** dom0's msi_dev_head: every device dom0 ever touched for MSI, with its (pirq, entry) pairs. */
export function dom0MsiList(s: HostState, bdf?: string): MsiListEntry[] {
  const want = bdf === undefined ? undefined : canonicalBdf(bdf);
  return s.dom0.msiDevHead
    .filter((e) => want === undefined || e.dev === want)
    .map((e) => ({
      dev: e.dev,
      pirqs: e.pirqList.map((p) => ({ pirq: p.pirq, entry: p.entryNr })),
      maskBase: e.maskBase === null ? null : `0x${hex(e.maskBase, 8)}`,
      defaultIrq: e.defaultIrq,
    }));
}

export interface PirqInfo {
  pirq: number;
  kind: 'msi' | 'msix';
  vector: number;
  cpu: number;
  bdf: string;
  entry: number;
  /** How the pirq reaches the guest: an event channel (PV), a guest vector (HVM), or nothing. */
  boundTo: 'evtchn' | 'dpci' | null;
  evtchn: number;
  guestVector: number | null;
}

export interface DomainPirqs {
  domid: number;
  name: string;
  kind: string;
  nrPirqs: number;
  pirqs: PirqInfo[];
}

/** The hypervisor's pirq mappings per domain (dom0 included). */
export function xenPirqs(s: HostState, domid?: number): DomainPirqs[] {
  return s.xen.domains
    .filter((d) => domid === undefined || d.domid === domid)
    .sort((a, b) => a.domid - b.domid)
    .map((d) => ({
      domid: d.domid,
      name: d.name,
      kind: d.kind,
      nrPirqs: d.nrPirqs,
      pirqs: Object.values(d.pirqs)
        .sort((a, b) => b.pirq - a.pirq)
        .map((p) => ({
          pirq: p.pirq,
          kind: p.kind,
          vector: p.vector,
          cpu: p.cpu,
          bdf: p.bdf,
          entry: p.entry,
          boundTo: p.evtchn !== 0 ? 'evtchn' : p.dpci !== null ? 'dpci' : null,
          evtchn: p.evtchn,
          guestVector: p.dpci,
        })),
    }));
}

export interface MsixTableEntry {
  entry: number;
  addrLo: number;
  addrHi: number;
  data: number;
  masked: boolean;
  pending: boolean;
  /** Who the message reaches: the hypervisor vector's owner, if any. */
  target: { domid: number; pirq: number } | null;
}

export interface MsixTable {
  bdf: string;
  enabled: boolean;
  maskAll: boolean;
  entries: MsixTableEntry[];
}

/** The device's MSI-X table as the hardware holds it (not any cache above it). */
export function msixTable(s: HostState, bdfIn: string): MsixTable {
  const bdf = canonicalBdf(bdfIn);
  const fn = s.hw.fns[bdf];
  if (!fn) fail('unknown-device', `no PCI device ${bdf}`);
  const x = modelOf(fn).msix;
  if (!x) fail('invalid-argument', `${bdf} has no MSI-X capability`);
  const ctrl = rawRead(fn.cfg, x.offset + R.PCI_MSIX_FLAGS, 2);
  const entries: MsixTableEntry[] = [];
  for (let i = 0; i < x.entries; i++) entries.push(msixEntryOf(s, bdf, i));
  return {
    bdf,
    enabled: (ctrl & R.PCI_MSIX_FLAGS_ENABLE) !== 0,
    maskAll: (ctrl & R.PCI_MSIX_FLAGS_MASKALL) !== 0,
    entries,
  };
}

function msixEntryOf(s: HostState, bdf: string, i: number): MsixTableEntry {
  const fn = s.hw.fns[bdf];
  const t = fn.table;
  const addrLo = t[i * 4];
  const data = t[i * 4 + 2];
  const use =
    (addrLo & 0xfff00000) >>> 0 === R.MSI_ADDR_BASE_LO
      ? vectorUse(s, (addrLo >>> R.MSI_ADDR_DEST_ID_SHIFT) & 0xff, data & 0xff)
      : undefined;
  return {
    entry: i,
    addrLo,
    addrHi: t[i * 4 + 1],
    data,
    masked: (t[i * 4 + 3] & R.PCI_MSIX_ENTRY_CTRL_MASKBIT) !== 0,
    pending: (fn.pba[i >> 5] & (1 << (i & 31))) !== 0,
    target: use && use.bdf === bdf && use.entry === i ? { domid: use.domid, pirq: use.pirq } : null,
  };
}

/** One entry of the device's MSI-X table; `msix-entry-out-of-range` beyond the table. */
export function msixEntry(s: HostState, bdfIn: string, entry: number): MsixTableEntry {
  const bdf = canonicalBdf(bdfIn);
  const fn = s.hw.fns[bdf];
  if (!fn) fail('unknown-device', `no PCI device ${bdf}`);
  const x = modelOf(fn).msix;
  if (!x) fail('invalid-argument', `${bdf} has no MSI-X capability`);
  if (!Number.isInteger(entry) || entry < 0 || entry >= x.entries) {
    fail(
      'msix-entry-out-of-range',
      `${bdf} has ${x.entries} MSI-X entries; entry ${entry} is out of range`,
    );
  }
  return msixEntryOf(s, bdf, entry);
}

export interface InterruptCounter {
  domain: string;
  domid: number;
  bdf: string;
  entry: number;
  pirq: number | null;
  rate: number;
  live: boolean;
  raised: number;
  delivered: number;
  lost: LossCounts;
}

/** Per-vector interrupt counters (of each domain's last boot). */
export function interruptCounters(
  s: HostState,
  filter?: { domain?: string; bdf?: string },
): InterruptCounter[] {
  const c = s.irq.counts;
  return s.irq.rows
    .map((r, i) => ({ r, b: i * IRQ_STRIDE }))
    .filter(
      ({ r }) =>
        (!filter?.domain || r.domain === filter.domain) && (!filter?.bdf || r.bdf === filter.bdf),
    )
    .map(({ r, b }) => ({
      domain: r.domain,
      domid: r.domid,
      bdf: r.bdf,
      entry: r.entry,
      pirq: r.pirq,
      rate: r.rate,
      live: r.live,
      raised: c[b + IRQ_RAISED],
      delivered: c[b + IRQ_DELIVERED],
      lost: {
        masked: c[b + IRQ_MASKED],
        disabled: c[b + IRQ_DISABLED],
        unmapped: c[b + IRQ_UNMAPPED],
        unbound: c[b + IRQ_UNBOUND],
      },
    }));
}

/** The console ring buffers: xm dmesg, dom0's dmesg, qemu, and each domain's console log; merged by sequence. */
export function logs(
  s: HostState,
  filter?: { source?: LogSource | 'guest'; domain?: string },
): LogLine[] {
  const all: LogLine[] = [];
  const src = filter?.source;
  const lines = (r: LogRing): LogLine[] => r.chunks.flat();
  if (!src || src === 'xen') all.push(...lines(s.logs.xen));
  if (!src || src === 'dom0') all.push(...lines(s.logs.dom0));
  if (!src || src === 'qemu') all.push(...lines(s.logs.qemu));
  if (!src || src === 'guest' || src.startsWith('guest:')) {
    for (const name of Object.keys(s.logs.guests)) {
      if (filter?.domain && filter.domain !== name) continue;
      for (const l of lines(s.logs.guests[name]))
        if (!src || src === 'guest' || l.source === src) all.push(l);
    }
  }
  return all.sort((a, b) => a.seq - b.seq);
}

export function listTemplates(): HostTemplate[] {
  return Object.values(TEMPLATES);
}

export function listProfiles(): ProfileInfo[] {
  return Object.values(PROFILES);
}

export function listChangesets(): ChangesetInfo[] {
  return Object.values(CHANGESETS);
}
