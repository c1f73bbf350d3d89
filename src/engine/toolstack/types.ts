// Toolstack (xend/libvirt) state: persistent domain definitions and their runtime status.
import type { DomainState, DomainStateReason } from '../core/events';

export interface HostdevConfig {
  /** Host PCI address. */
  bdf: string;
  /** libvirt managed='yes': detach from the host driver on start, reattach on stop. */
  managed: boolean;
  /** Guest network config brings the interface up at boot (ifcfg ONBOOT=yes, BOOTPROTO=dhcp). */
  onboot: boolean;
}

export type DomainType = 'pv' | 'hvm';

export interface DomainConfig {
  name: string;
  uuid: string;
  type: DomainType;
  memory: number;
  vcpus: number;
  hostdevs: HostdevConfig[];
  onReboot: 'restart' | 'destroy';
  onPoweroff: 'destroy';
  onCrash: 'restart' | 'destroy';
  autostart: boolean;
  /** Guest kernel modules loaded at boot besides those udev loads (e.g. acpiphp). */
  guestModules: string[];
}

export interface DomainRecord {
  config: DomainConfig;
  domid: number | null;
  state: DomainState;
  reason: DomainStateReason;
  /** Host devices currently attached to the running domain. */
  liveHostdevs: string[];
  boots: number;
}
