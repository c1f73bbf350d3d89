// drivers/xen/pciback/pciback_ops.c: pciback_reset_device() in each variant, and pciback_do_op().
import type { Tx } from '../../core/tx';
import * as R from '../../pci/constants';
import { hasChangeset } from '../../profiles/stack';
import { pciReadConfig, pciWriteConfig } from '../config-access';
import { wPciDev } from '../kernel';
import { pciDisableDevice } from '../pci';
import { msiPrunePciIrqVectors, pciDisableMsi, pciDisableMsix } from '../msi-xen';
import { pcibackConfigReadValid, pcibackConfigWrite, pcibackValidRequest } from './conf_space';
import { pcibackDisableMsi, pcibackDisableMsix, pcibackEnableMsi, pcibackEnableMsix } from './msi';
import { vpciGetPciDev } from './vpci';
import type { MsixEntry } from '../types';

/**
 * pciback_reset_device(): ensure a device is "turned off" and ready to be exported.
 * - RHEL-5 as reported (R2): pci_disable_device(); COMMAND=0; is_enabled = is_busmaster = 0.
 * - cs1070 (R5): first, "the guest could have been abruptly killed without disabling MSI/MSI-X":
 *   if dev->msix_enabled pci_disable_msix(); if dev->msi_enabled pci_disable_msi().
 * - msi-prune (seed 000/R6): then msi_prune_pci_irq_vectors(dev).
 * Bridges only lose Memory-Write-Invalidate.
 */
export function pcibackResetDevice(tx: Tx, dev: string): void {
  const d = tx.s.dom0.pci[dev];
  if (d.hdrType === R.PCI_HEADER_TYPE_NORMAL) {
    if (hasChangeset(tx.s, 'cs1070')) {
      if (tx.s.dom0.pci[dev].msixEnabled) pciDisableMsix(tx, 'dom0', dev);
      if (tx.s.dom0.pci[dev].msiEnabled) pciDisableMsi(tx, 'dom0', dev);
    }
    if (hasChangeset(tx.s, 'msi-prune')) msiPrunePciIrqVectors(tx, dev);
    pciDisableDevice(tx, 'dom0', dev);
    pciWriteConfig(tx, 'dom0', dev, R.PCI_COMMAND, 2, 0);
    const pd = wPciDev(tx, 'dom0', dev);
    pd.isEnabled = false;
    pd.isBusmaster = false;
  } else {
    const cmd = pciReadConfig(tx, 'dom0', dev, R.PCI_COMMAND, 2);
    if (cmd & R.PCI_COMMAND_INVALIDATE) {
      pciWriteConfig(tx, 'dom0', dev, R.PCI_COMMAND, 2, cmd & ~R.PCI_COMMAND_INVALIDATE);
      wPciDev(tx, 'dom0', dev).isBusmaster = false;
    }
  }
}

export const XEN_PCI_OP_conf_read = 0;
export const XEN_PCI_OP_conf_write = 1;
export const XEN_PCI_OP_enable_msi = 2;
export const XEN_PCI_OP_disable_msi = 3;
export const XEN_PCI_OP_enable_msix = 4;
export const XEN_PCI_OP_disable_msix = 5;

export const XEN_PCI_ERR_success = 0;
export const XEN_PCI_ERR_dev_not_found = -1;
export const XEN_PCI_ERR_invalid_offset = -2;
export const XEN_PCI_ERR_access_denied = -3;
export const XEN_PCI_ERR_not_implemented = -4;
export const XEN_PCI_ERR_op_failed = -5;

/** struct xen_pci_op in the shared page between pcifront and pciback. */
export interface XenPciOp {
  cmd: number;
  err: number;
  domain: number;
  bus: number;
  devfn: number;
  offset: number;
  size: 1 | 2 | 4;
  value: number;
  msixEntries: MsixEntry[];
}

/** pciback_do_op(): dispatch a frontend request for the device at the frontend's (virtual) address. */
export function pcibackDoOp(tx: Tx, domid: number, op: XenPciOp): void {
  const dev = vpciGetPciDev(tx.s, domid, op.domain, op.bus, op.devfn);
  if (dev === null) {
    op.err = XEN_PCI_ERR_dev_not_found;
    return;
  }
  switch (op.cmd) {
    case XEN_PCI_OP_conf_read:
      // pcibackConfigRead() without its result object.
      if (pcibackValidRequest(op.offset, op.size)) {
        op.err = 0;
        op.value = pcibackConfigReadValid(tx, dev, op.offset, op.size);
      } else {
        op.err = XEN_PCI_ERR_invalid_offset;
        op.value = 0;
      }
      break;
    case XEN_PCI_OP_conf_write:
      op.err = pcibackConfigWrite(tx, dev, op.offset, op.size, op.value);
      break;
    case XEN_PCI_OP_enable_msi:
      op.err = pcibackEnableMsi(tx, dev, op);
      break;
    case XEN_PCI_OP_disable_msi:
      op.err = pcibackDisableMsi(tx, dev, op);
      break;
    case XEN_PCI_OP_enable_msix:
      op.err = pcibackEnableMsix(tx, dev, op);
      break;
    case XEN_PCI_OP_disable_msix:
      op.err = pcibackDisableMsix(tx, dev, op);
      break;
    default:
      op.err = XEN_PCI_ERR_not_implemented;
  }
}
