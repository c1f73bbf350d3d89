// drivers/xen/pciback/conf_space_capability_msi.c: the MSI/MSI-X requests a PV frontend forwards to dom0.
import type { Tx } from '../../core/tx';
import { EINVAL } from '../../xen/errno';
import { pciDisableMsi, pciDisableMsix, pciEnableMsi, pciEnableMsix } from '../msi-xen';
import type { XenPciOp } from './pciback_ops';
import type { MsixEntry } from '../types';

export const SH_INFO_MAX_VEC = 128;

/** pciback_enable_msix(): dom0's pci_enable_msix() on the entries the guest asked for; result in op.value. */
export function pcibackEnableMsix(tx: Tx, dev: string, op: XenPciOp): number {
  if (op.value > SH_INFO_MAX_VEC) return -EINVAL;
  // The first op.value entries, copied.
  const entries: MsixEntry[] = op.msixEntries.slice(0, op.value);
  for (let i = 0; i < entries.length; i++) {
    entries[i] = { entry: entries[i].entry, vector: entries[i].vector };
  }
  const result = pciEnableMsix(tx, 'dom0', dev, entries);
  op.msixEntries = entries;
  op.value = result;
  return 0;
}

/** pciback_disable_msix(): dom0's pci_disable_msix(); op.value = dev->irq. */
export function pcibackDisableMsix(tx: Tx, dev: string, op: XenPciOp): number {
  pciDisableMsix(tx, 'dom0', dev);
  op.value = tx.s.dom0.pci[dev].irq;
  return 0;
}

/** pciback_enable_msi() */
export function pcibackEnableMsi(tx: Tx, dev: string, op: XenPciOp): number {
  const status = pciEnableMsi(tx, 'dom0', dev);
  if (status) {
    op.value = 0;
    return -5; // XEN_PCI_ERR_op_failed
  }
  op.value = tx.s.dom0.pci[dev].irq;
  return 0;
}

/** pciback_disable_msi() */
export function pcibackDisableMsi(tx: Tx, dev: string, op: XenPciOp): number {
  pciDisableMsi(tx, 'dom0', dev);
  op.value = tx.s.dom0.pci[dev].irq;
  return 0;
}
