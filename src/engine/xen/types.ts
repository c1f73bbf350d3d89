// Hypervisor state: domains with their pirq tables, the vector space, the PCI device list and IOMMU ownership.

export type XenDomainKind = 'dom0' | 'pv' | 'hvm';
export type XenShutdownReason = 'poweroff' | 'reboot' | 'crash';

/** One mapped pirq of a domain (d->arch.pirq_vector / struct pirq). */
export interface XenPirq {
  pirq: number;
  /** MSI (capability registers) or MSI-X (table entry): Xen tells them apart by table_base != 0. */
  kind: 'msi' | 'msix';
  /** Hypervisor vector programmed into the device's message data. */
  vector: number;
  /** Destination CPU of the message (vector spaces are per CPU from Xen 4.x). */
  cpu: number;
  bdf: string;
  entry: number;
  /** MSI-X table base (BAR start) dom0 passed in PHYSDEVOP_map_pirq. */
  tableBase: number;
  /** Event channel port bound with EVTCHNOP_bind_pirq (PV), 0 if unbound. */
  evtchn: number;
  /** Guest vector bound with XEN_DOMCTL_bind_pt_irq (HVM passthrough), null if unbound. */
  dpci: number | null;
}

export interface XenDomain {
  domid: number;
  name: string;
  kind: XenDomainKind;
  state: 'running' | 'shutdown';
  shutdownReason: XenShutdownReason | null;
  nrPirqs: number;
  pirqs: Record<string, XenPirq>;
  nextPort: number;
}

/** irq_desc[vector]: who a hypervisor vector belongs to. */
export interface XenVectorUse {
  domid: number;
  pirq: number;
  bdf: string;
  entry: number;
}

/** struct pci_dev in Xen's alldevs list, with its IOMMU owner. */
export interface XenPdev {
  bdf: string;
  domid: number;
}

export interface IommuConfig {
  enabled: boolean;
  force: boolean;
  passthrough: boolean;
  snoop: boolean;
  intremap: boolean;
}

export interface XenState {
  version: string;
  cmdline: string;
  iommu: IommuConfig;
  /** `extra_guest_irqs=` (Xen 4.x domU pirq space). */
  extraGuestIrqs: number;
  nextDomid: number;
  domains: Record<string, XenDomain>;
  /** Keyed by vk(cpu, vector). */
  vectors: Record<string, XenVectorUse>;
  pdevs: Record<string, XenPdev>;
}
