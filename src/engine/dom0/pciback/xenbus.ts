// drivers/xen/pciback/xenbus.c: a frontend domain's backend — devices exported when it connects and
// released (pcistub_put_pci_dev → pciback_reset_device) when the toolstack tears it down.
import { emit, owned, type Tx, mPciback } from '../../core/tx';
import { pcistubGetPciDevBySlot, pcistubPutPciDev } from './pci_stub';
import { sliceBackends, vpciAddPciDev, vpciRemovePciDev } from './vpci';
import { byDomid, dropByDomid } from '../../core/domtab';

/** Export one device to `domid`: claim it from the stub and give it a virtual slot. */
export function pcibackExportDevice(tx: Tx, domid: number, dev: string, vpciLog: boolean): number {
  const got = pcistubGetPciDevBySlot(tx, domid, dev);
  if (got === null) return -16; // -EBUSY
  const slot = vpciAddPciDev(tx, domid, dev, vpciLog);
  emit(tx, {
    type: 'device.assignment',
    bdf: dev,
    action: 'assigned',
    driver: 'pciback',
    domid,
    domain: null,
  });
  return slot;
}

/** Release one device of `domid` (hot-detach). */
export function pcibackReleaseDevice(tx: Tx, domid: number, dev: string): void {
  vpciRemovePciDev(tx, domid, dev);
  pcistubPutPciDev(tx, dev);
}

/** pciback_disconnect + release of every exported device, in slot order; the backend goes away. */
export function pcibackTeardown(tx: Tx, domid: number): void {
  const be = byDomid(tx.s.dom0.pciback.backends, domid);
  if (!be) return;
  for (const dev of be.slots) if (dev !== null) pcistubPutPciDev(tx, dev);
  const pb = mPciback(tx);
  dropByDomid((pb.backends = owned(tx, pb.backends, sliceBackends)), domid);
}
