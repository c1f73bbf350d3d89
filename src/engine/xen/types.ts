// Hypervisor state: domains with their pirq tables, the vector space, the PCI device list and IOMMU ownership.
import type { ByDomid } from '../core/domtab';

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
  /**
   * Xen 4.x `struct pirq` state beyond the mapping (Engine II, xen/pirq4.ts): PIRQ_ALLOCATED by
   * PHYSDEVOP_get_free_pirq, and the event channel an HVM guest bound (binding needs no mapping in HVM).
   */
  pirqInfo?: Record<string, XenPirqInfo>;
}

/** Engine II: a pirq's allocation and event-channel state, keyed like `pirqs` (pk). */
export interface XenPirqInfo {
  pirq: number;
  /** info->arch.irq == PIRQ_ALLOCATED: reserved by get_free_pirq, not (yet) mapped. */
  allocated: boolean;
  /** Event channel bound with EVTCHNOP_bind_pirq (0: none). */
  evtchn: number;
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
  /** Engine II (Xen 4.x, xen/pdev.ts): pdev->type, cached by alloc_pdev() since e7e08d86ad (Xen 4.3). */
  type?: PdevType;
}

/** enum pdev_type (xen/include/xen/pci.h). */
export type PdevType =
  | 'DEV_TYPE_PCI_UNKNOWN'
  | 'DEV_TYPE_PCIe_ENDPOINT'
  | 'DEV_TYPE_PCIe_BRIDGE'
  | 'DEV_TYPE_PCIe2PCI_BRIDGE'
  | 'DEV_TYPE_PCI2PCIe_BRIDGE'
  | 'DEV_TYPE_LEGACY_PCI_BRIDGE'
  | 'DEV_TYPE_PCI_HOST_BRIDGE'
  | 'DEV_TYPE_PCI';

/** pseg->bus2bridge[bus] with map == 1 (absent: map == 0). */
export interface Bus2Bridge {
  bus: number;
  devfn: number;
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
  /** In domid order. */
  domains: ByDomid<XenDomain>;
  /**
   * The vector space: per CPU, indexed by vector, the use of each vector (null: free). A CPU's array ends
   * at its highest vector in use.
   */
  vectors: (XenVectorUse | null)[][];
  pdevs: Record<string, XenPdev>;
  /** Engine II (Xen 4.x): pseg->bus2bridge, keyed `b<bus>`; only entries with map set. */
  bus2bridge?: Record<string, Bus2Bridge>;
  /** Engine II: VT-d context entries present, by requester id `SSSS:BB:DD.F` → owning domid. */
  vtdContexts?: Record<string, number>;
  /** Engine II: interrupt-remapping source ids programmed per mapped pirq (`d<domid>.p<pirq>`). */
  irteSources?: Record<string, IrteSource>;
  /** Engine II: devices whose DMA already faulted (one DMAR report per device and domain). */
  dmaFaults?: Record<string, number>;
}

/** set_msi_source_id(): how the IRTE verifies the requester (SVT_*), or unverified. */
export interface IrteSource {
  /** 'none': left unverified ("no upstream bridge"); 'sid': exact requester id; 'bus': the bus range. */
  svt: 'none' | 'sid' | 'bus';
  /** `SSSS:BB:DD.F` for 'sid'; for 'bus' the start and end bus as `BB-BB`. */
  value: string;
}
