// Device-model state: RHEL-5 qemu-dm passthrough (MSI-X shadow table per passed-through device).

export interface QemuMsixEntry {
  addr: number;
  data: number;
  masked: boolean;
  /** Pirq mapped for this entry, -1 if none. */
  pirq: number;
}

export interface QemuPtDevice {
  hostBdf: string;
  guestBdf: string;
  msixEnabled: boolean;
  entries: QemuMsixEntry[];
}

export interface QemuDmState {
  domid: number;
  devices: Record<string, QemuPtDevice>;
  /** Engine II: the device model running (absent: RHEL-5 qemu-dm). */
  kind?: 'qemu-xen' | 'qemu-kvm';
  /** Engine II: qemu-xen passthrough (hw/xen/xen_pt*.c) state per host device (qemu/xen_pt.ts). */
  xenPt?: Record<string, XenPtState>;
  /** Engine II: QEMU/KVM vfio-pci state per host device (qemu/vfio.ts). */
  vfio?: Record<string, VfioPciState>;
}

/** XenPTMSIXEntry */
export interface XenPtMsixEntry {
  addrLo: number;
  addrHi: number;
  data: number;
  vectorCtrl: number;
  /** XEN_PT_UNASSIGNED_PIRQ (-1) or the mapped pirq. */
  pirq: number;
  /** The guest changed address/data since the last update. */
  updated: boolean;
  warned: boolean;
}

/** XenPTMSI */
export interface XenPtMsi {
  flags: number;
  addrLo: number;
  addrHi: number;
  data: number;
  pirq: number;
  initialized: boolean;
  mapped: boolean;
}

/** XenPCIPassthroughState (the parts the model uses). */
export interface XenPtState {
  hostBdf: string;
  guestBdf: string;
  /** s->msix->enabled / maskall (emulated Message Control). */
  msixEnabled: boolean;
  maskall: boolean;
  entries: XenPtMsixEntry[];
  /** s->msix->table_base: host address of the BAR holding the table. */
  tableBase: number;
  msi: XenPtMsi | null;
}

/** VFIOMSIVector + msix.c per-vector state of one vfio-pci device. */
export interface VfioMsixVector {
  /** Guest-visible table entry (QEMU's emulated table: dev->msix_table). */
  addrLo: number;
  addrHi: number;
  data: number;
  vectorCtrl: number;
  /** vector->use: QEMU handed the vector to the host (VFIO_DEVICE_SET_IRQS with an eventfd). */
  use: boolean;
  /** KVM irqfd route (virq) for the message the vector had when it was used; -1 if none. */
  virq: number;
}

/** VFIODevice (the MSI-X parts): the guest's emulated table and QEMU's "enabled" view. */
export interface VfioPciState {
  hostBdf: string;
  guestBdf: string;
  /** Emulated Message Control bits (msix_enabled / function mask). */
  msixEnabled: boolean;
  maskall: boolean;
  /** vdev->nr_vectors: vectors enabled on the host (SET_IRQS grows it). */
  nrVectors: number;
  vectors: VfioMsixVector[];
}
