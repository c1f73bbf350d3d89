// Linux 2.6.18-xen kernel state shared by dom0 and RHEL-5 guests (same kernel), plus dom0's pciback.
import type { ByDomid } from '../core/domtab';

export interface LinuxResource {
  start: number;
  size: number;
  flags: 'mem' | 'io';
}

/** struct pci_dev (the fields the model uses). */
export interface LinuxPciDev {
  /** pci_name() in this kernel: the host BDF in dom0, the virtual BDF in a guest. */
  name: string;
  /** The physical function behind it. */
  hostBdf: string;
  vendor: number;
  device: number;
  classCode: number;
  hdrType: number;
  irq: number;
  isEnabled: boolean;
  isBusmaster: boolean;
  msiEnabled: boolean;
  msixEnabled: boolean;
  /** BAR resources by index (null: no BAR). */
  resources: (LinuxResource | null)[];
  driver: string | null;
  isVirtfn: boolean;
  physfn: string | null;
  /** pci_save_state(): the first 16 config dwords. */
  savedState: number[] | null;
}

/** struct msi_pirq_entry */
export interface MsiPirqEntry {
  pirq: number;
  entryNr: number;
}

/** struct msi_dev_list: one per device ever touched; never removed (drivers/pci/msi-xen.c). */
export interface MsiDevList {
  dev: string;
  pirqList: MsiPirqEntry[];
  /** ioremap of the MSI-X table (modelled by its physical address), null when unmapped. */
  maskBase: number | null;
  defaultIrq: number;
}

/** A Linux irq with its handler and (PV) pirq/event-channel binding. */
export interface LinuxIrq {
  irq: number;
  kind: 'pirq' | 'msi';
  pirq: number | null;
  /** Event channel bound by startup_pirq (0: none). */
  evtchn: number;
  /** request_irq() name, null when free. */
  action: string | null;
  dev: string | null;
  entry: number | null;
}

export interface MsixEntry {
  entry: number;
  vector: number;
}

/** struct igbvf_adapter (the fields the model uses). */
export interface IgbvfAdapter {
  dev: string;
  netdev: string;
  msixEntries: MsixEntry[] | null;
  /** netif_running(): the interface is open. */
  running: boolean;
}

export interface NetDev {
  name: string;
  dev: string;
  driver: string;
  up: boolean;
  /** DHCP outcome of the last ifup. */
  configured: boolean;
}

export interface LinuxKernel {
  pci: Record<string, LinuxPciDev>;
  msiDevHead: MsiDevList[];
  irqs: Record<string, LinuxIrq>;
  igbvf: Record<string, IgbvfAdapter>;
  netdevs: Record<string, NetDev>;
  /** Loaded modules (module name → loaded). */
  modules: Record<string, boolean>;
  /** Vectors a test driver obtained with pci_enable_msix() (guest.msix.enable), by pci_name. */
  msixTest: Record<string, MsixEntry[]>;
  nextNetdev: number;
  nextIrq: number;
}

/** struct pcistub_device_id */
export interface PcistubSlot {
  seg: number;
  bus: number;
  devfn: number;
}

/** struct pcistub_device: seized by pciback; `owner` is the frontend domain (psdev->pdev), null if free. */
export interface PcistubDevice {
  dev: string;
  owner: number | null;
}

/** struct pciback_device of one frontend domain, with its vpci virtual slots. */
export interface PcibackBackend {
  domid: number;
  slots: (string | null)[];
}

export interface PcibackState {
  loaded: boolean;
  slots: PcistubSlot[];
  devices: PcistubDevice[];
  /** One per frontend domain, in domid order. */
  backends: ByDomid<PcibackBackend>;
  /** Devices in permissive mode. */
  permissive: string[];
}

export interface Dom0State extends LinuxKernel {
  cmdline: string;
  /** `options <module> <params>` from modprobe.conf, by module. */
  moduleOptions: Record<string, string>;
  blacklist: string[];
  pciback: PcibackState;
  /** MAC addresses the PF driver assigned to its VFs (igb: random_ether_addr at VF creation). */
  vfMacs: Record<string, string>;
}
