// KVM host state (seed 004): vfio-pci devices with their host MSI-X vectors, IOMMU groups, and the
// platform's reaction to a bad DMA (POWER EEH freezes a PE; x86 VT-d reports a DMAR fault).

/** A host MSI message as the host kernel cached it (msi_desc->msg). */
export interface HostMsiMsg {
  addrLo: number;
  addrHi: number;
  data: number;
}

/** vfio_pci_irq_ctx of one MSI-X vector, plus the host irq behind it. */
export interface VfioVector {
  /** Host Linux irq (vdev->msix[i].vector). */
  irq: number;
  /** The message the host wrote into the physical entry when it enabled MSI-X (entry->msg). */
  msg: HostMsiMsg;
  /** The eventfd the vector signals (vdev->ctx[i].trigger), 0 if none (irq freed). */
  trigger: number;
  /** "vfio-msix[%d](%s)" while the irq is requested. */
  name: string | null;
}

/** struct vfio_pci_device (the parts the model uses). */
export interface VfioHostDevice {
  bdf: string;
  group: number;
  /** The VM (QEMU process) that opened the device, null if none. */
  owner: number | null;
  /** vdev->irq_type: VFIO_PCI_MSIX_IRQ_INDEX or none. */
  irqType: 'none' | 'msix';
  /** vdev->num_ctx vectors, by MSI-X entry. */
  vectors: VfioVector[];
}

/** A POWER partitionable endpoint's EEH state. */
export interface EehPe {
  phb: number;
  pe: number;
  frozen: boolean;
}

export interface KvmState {
  arch: 'x86_64' | 'ppc64';
  /** Devices bound to vfio-pci, by BDF. */
  vfio: Record<string, VfioHostDevice>;
  /** Next host irq number for MSI vectors. */
  nextIrq: number;
  /** Next eventfd handed out by QEMU (a file descriptor number). */
  nextEventfd: number;
  /** Next libvirt domain id. */
  nextId: number;
  /** EEH partitionable endpoints by `PHB#-PE#` key (POWER). */
  eeh: Record<string, EehPe>;
  /** DMA faults reported, by BDF (x86): the virtual time of the first report. */
  dmarFaults: Record<string, number>;
}
