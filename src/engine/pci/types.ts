// Hardware state: PCI functions with their config space and the MSI-X table/PBA that live in BAR memory.

export interface PciFunction {
  /** `SSSS:BB:DD.F` */
  bdf: string;
  seg: number;
  bus: number;
  devfn: number;
  /** Catalog model id (pci/catalog.ts). */
  model: string;
  /** Config space as 32-bit dwords: 64 (conventional) or 1024 (PCI Express extended). */
  cfg: number[];
  /**
   * Backing store of the MSI-X table (4 dwords per entry: addr lo, addr hi, data, vector control).
   * It is device memory: reachable only through MMIO at BAR[BIR] + Table Offset (pci/mmio.ts).
   */
  table: number[];
  /** Backing store of the MSI-X Pending Bit Array (dwords), at BAR[PBA BIR] + PBA Offset. */
  pba: number[];
  /** SR-IOV: the PF of a VF, and the VF's index (0-based). */
  physfn: string | null;
  vfIndex: number | null;
}

export interface HwState {
  /** Present functions by BDF. */
  fns: Record<string, PciFunction>;
  /** Logical CPUs (for interrupt destination / vector space). */
  cpus: number;
}
