// Engine II guest kernel state: a 3.x/4.x Linux guest's MSI-X descriptors and its nvme/ipr drivers.

/** A message as the guest composed it (struct msi_msg). */
export interface MsiMsg {
  addrLo: number;
  addrHi: number;
  data: number;
}

/** struct msi_desc of one MSI-X entry. */
export interface MsiDesc {
  entry: number;
  /** Linux irq number. */
  irq: number;
  /** PV-on-HVM: the pirq the irq is bound to (irq_info->u.pirq.pirq); null for native vectors. */
  pirq: number | null;
  /** entry->msg: the message written (or found, when the pirq was reused). */
  msg: MsiMsg;
  /** entry->masked: the vector-control word cached by msix_program_entries()/mask ops. */
  masked: number;
}

export type NvmeCtrlState = 'new' | 'resetting' | 'live' | 'dead';

/** struct nvme_dev (the parts the model uses). */
export interface NvmeCtrl {
  /** nvme%d */
  instance: string;
  dev: string;
  state: NvmeCtrlState;
  /** Vectors allocated by the last pci_alloc_irq_vectors(). */
  vectors: number;
  /** IO queues created. */
  ioQueues: number;
  /** Admin commands submitted (blk-mq tag of the next one, modulo the queue depth). */
  adminCmds: number;
}

/** struct ipr_ioa_cfg (the parts the model uses). */
export interface IprIoa {
  /** host%d (the SCSI host). */
  host: string;
  dev: string;
  state: 'operational' | 'resetting' | 'offline';
  nvectors: number;
  /** ioa_cfg->reset_retries */
  retries: number;
}

export interface LinuxModern {
  /** MSI-X descriptors by guest pci_dev name. */
  msi: Record<string, MsiDesc[]>;
  nvme: Record<string, NvmeCtrl>;
  ipr: Record<string, IprIoa>;
  nextNvme: number;
  nextScsiHost: number;
}
