// HostState: one emulated host as plain, JSON-serialisable data (DESIGN.md §2 "state is plain data").
import type { LogSource } from './events';
import type { HwState } from '../pci/types';
import type { XenState } from '../xen/types';
import type { Dom0State } from '../dom0/types';
import type { GuestState } from '../guest/types';
import type { QemuDmState } from '../qemu/types';
import type { DomainRecord } from '../toolstack/types';
import type { IrqState } from '../irq/types';
import type { ChangesetId } from '../profiles/changesets';
import type { XenVersionId } from '../profiles/xen-versions';
import type { HardwareSpec } from '../pci/topology';
import type { SchedState } from '../guest/workqueue';
import type { KvmState } from '../kvm/types';
import type { ByDomid } from './domtab';

/**
 * Version of the state's shape. 2: the per-domain tables (`xen.domains`, `guests`, `qemu`,
 * `dom0.pciback.backends`) are arrays in domid order and `xen.vectors` is per-CPU arrays indexed by
 * vector; schema 1 keyed them by `d<domid>` and `v<cpu>.<vector>`, and restore() still reads such snapshots.
 */
export const STATE_SCHEMA = 2;

/** What the host boots with: the hypervisor and dom0 command lines and /etc/modprobe.conf. */
export interface BootOptions {
  /** Xen command line, e.g. `iommu=on`. */
  xen: string;
  /** dom0 kernel command line, e.g. `pci_pt_e820_access=on`. */
  dom0: string;
  /** /etc/modprobe.conf lines, e.g. `options igb max_vfs=1`, `blacklist igbvf`. */
  modprobe: string[];
}

export interface LogLine {
  t: number;
  seq: number;
  source: LogSource;
  text: string;
}

/** A bounded console ring, in chunks so appending copies little (oldest chunk dropped when full). */
export interface LogRing {
  chunks: LogLine[][];
}

/** Console ring buffers (xm dmesg, dmesg, per-domain console logs), bounded. */
export interface LogRings {
  xen: LogRing;
  dom0: LogRing;
  qemu: LogRing;
  /** By domain name (like /var/log/xen/console/guest-<name>.log): every boot's lines. */
  guests: Record<string, LogRing>;
}

export const LOG_RING_LINES = 512;
export const LOG_RING_CHUNK = 32;

export interface HostState {
  schema: number;
  created: boolean;
  name: string;
  template: string;
  hardware: HardwareSpec;
  profile: string;
  changesets: ChangesetId[];
  xenVersion: XenVersionId;
  boot: BootOptions;
  seed: number;
  /** mulberry32 state. */
  prng: number;
  /** Virtual time, ns. */
  now: number;
  /** Next event sequence number. */
  seq: number;
  hostBoots: number;
  hw: HwState;
  xen: XenState;
  dom0: Dom0State;
  /** Guest kernels, in domid order. */
  guests: ByDomid<GuestState>;
  /** Device models, in domid order. */
  qemu: ByDomid<QemuDmState>;
  /** Domain definitions and status by name. */
  domains: Record<string, DomainRecord>;
  irq: IrqState;
  logs: LogRings;
  /** Engine II: guests' deferred driver work (workqueues, timers), run by a deterministic scheduler. */
  sched?: SchedState;
  /** Engine II: a KVM host's vfio, IOMMU groups and platform error state (absent on Xen hosts). */
  kvm?: KvmState;
}
