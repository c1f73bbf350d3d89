// Guest kernel state: a RHEL-5 kernel (PV with pcifront, or HVM) plus its workloads.
import type { LinuxKernel } from '../dom0/types';
import type { LinuxModern } from './types2';

export interface GuestWorkloads {
  /** ping per interface: packets per second. */
  ping: Record<string, number>;
  /** Explicit per-vector rates, keyed `<hostBdf>#<entry>`. */
  irq: Record<string, number>;
}

export interface GuestState extends LinuxKernel {
  domid: number;
  domain: string;
  kind: 'pv' | 'hvm';
  workloads: GuestWorkloads;
  /** Engine II: a modern (3.x/4.x) guest kernel's MSI descriptors and drivers (nvme, ipr). */
  linux?: LinuxModern;
}
