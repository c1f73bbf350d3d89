// pci_enable_msix()/pci_disable_msix() as a driver calls them: RHEL-5 kernel-xen (dom0 and PV guests) runs
// msi-xen.c; an HVM guest runs the native drivers/pci/msi.c against the device model's emulated table.
import type { Tx } from '../core/tx';
import * as R from '../pci/constants';
import { pciReadConfig, pciWriteConfig } from '../dom0/config-access';
import { kernelKind, kernelOf, wKernel, wPciDev, type KRef } from '../dom0/kernel';
import { msixEntriesProblem, pciDisableMsix, pciEnableMsix } from '../dom0/msi-xen';
import { pciFindCapability } from '../dom0/pci';
import type { MsixEntry } from '../dom0/types';
import { EINVAL } from '../xen/errno';
import { qemuMsixTableWrite } from '../qemu/qemu-dm';

/** First Linux irq an HVM guest hands out for MSI (2.6.18 x86_64: irq == vector). */
export const HVM_FIRST_MSI_IRQ = 0x41;

export function kernelPciEnableMsix(tx: Tx, k: KRef, dev: string, entries: MsixEntry[]): number {
  if (kernelKind(tx.s, k) === 'hvm') return hvmPciEnableMsix(tx, k as number, dev, entries);
  return pciEnableMsix(tx, k, dev, entries);
}

export function kernelPciDisableMsix(tx: Tx, k: KRef, dev: string): void {
  if (kernelKind(tx.s, k) === 'hvm') hvmPciDisableMsix(tx, k as number, dev);
  else pciDisableMsix(tx, k, dev);
}

/** Native msix_capability_init(): allocate vectors, write the (emulated) table entries masked, set Enable. */
function hvmPciEnableMsix(tx: Tx, domid: number, dev: string, entries: MsixEntry[]): number {
  const pos = pciFindCapability(tx, domid, dev, R.PCI_CAP_ID_MSIX);
  if (!pos) return -EINVAL;
  const control = pciReadConfig(tx, domid, dev, pos + R.PCI_MSIX_FLAGS, 2);
  if (msixEntriesProblem((control & R.PCI_MSIX_FLAGS_QSIZE) + 1, entries)) return -EINVAL;
  const d = kernelOf(tx.s, domid).pci[dev];
  if (d.msiEnabled) return -EINVAL;
  const kern = wKernel(tx, domid);
  for (const e of entries) {
    if (kern.nextIrq < HVM_FIRST_MSI_IRQ) kern.nextIrq = HVM_FIRST_MSI_IRQ;
    const irq = kern.nextIrq++;
    e.vector = irq;
    qemuMsixTableWrite(
      tx,
      domid,
      d.hostBdf,
      e.entry,
      R.MSI_ADDR_BASE_LO,
      R.MSI_DATA_LEVEL_ASSERT | (irq & 0xff),
    );
  }
  pciWriteConfig(tx, domid, dev, pos + R.PCI_MSIX_FLAGS, 2, control | R.PCI_MSIX_FLAGS_ENABLE);
  wPciDev(tx, domid, dev).msixEnabled = true;
  return 0;
}

/** Native pci_disable_msix(): clear Enable (the device model tears its mappings down). */
function hvmPciDisableMsix(tx: Tx, domid: number, dev: string): void {
  const pos = pciFindCapability(tx, domid, dev, R.PCI_CAP_ID_MSIX);
  if (!pos) return;
  const control = pciReadConfig(tx, domid, dev, pos + R.PCI_MSIX_FLAGS, 2);
  if (!(control & R.PCI_MSIX_FLAGS_ENABLE)) return;
  pciWriteConfig(tx, domid, dev, pos + R.PCI_MSIX_FLAGS, 2, control & ~R.PCI_MSIX_FLAGS_ENABLE);
  wPciDev(tx, domid, dev).msixEnabled = false;
}
