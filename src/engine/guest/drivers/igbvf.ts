// drivers/net/igbvf/netdev.c (RHEL-5, R9) as a small state machine. The same driver runs in dom0 (host
// binding) and in guests. probe → 3 MSI-X vectors; open → request_irq ×3; remove → pci_disable_msix();
// shutdown → igbvf_suspend() → free_irq ×3 and pci_disable_device() — never pci_disable_msix().
import { own, owned, ownedFrom, w, type Tx } from '../../core/tx';
import { baseKernel, devPrintk, kernelOf, wKernel, wPciDev, type KRef } from '../../dom0/kernel';
import { copyAdapter, copyRecord } from '../../core/copy';
import { ethName } from '../../core/keys';
import { pciDisableDevice, pciEnableDeviceMem, pciSetMaster } from '../../dom0/pci';
import type { IgbvfAdapter } from '../../dom0/types';
import { freeIrq, requestIrq } from '../irq';
import { kernelPciDisableMsix, kernelPciEnableMsix } from '../msi';

function adapterOf(tx: Tx, k: KRef, dev: string): IgbvfAdapter | undefined {
  return kernelOf(tx.s, k).igbvf[dev];
}

function wAdapter(tx: Tx, k: KRef, dev: string): IgbvfAdapter {
  const kern = wKernel(tx, k);
  const b = baseKernel(tx, k);
  const base = b && b.igbvf;
  const igbvf = (kern.igbvf = ownedFrom(tx, kern.igbvf, base, copyRecord));
  return (igbvf[dev] = ownedFrom(tx, igbvf[dev], base && base[dev], copyAdapter));
}

/** igbvf_set_interrupt_capability(): "we allocate 3 vectors, 1 for tx, 1 for rx, one for pf messages". */
function igbvfSetInterruptCapability(tx: Tx, k: KRef, dev: string): void {
  const entries = [
    { entry: 0, vector: 0 },
    { entry: 1, vector: 0 },
    { entry: 2, vector: 0 },
  ];
  const err = kernelPciEnableMsix(tx, k, dev, entries);
  if (err) {
    devPrintk(tx, k, kernelOf(tx.s, k).pci[dev], 'Failed to initialize MSI-X interrupts.');
    wAdapter(tx, k, dev).msixEntries = null;
    return;
  }
  wAdapter(tx, k, dev).msixEntries = own(tx, entries);
}

/** igbvf_reset_interrupt_capability() */
function igbvfResetInterruptCapability(tx: Tx, k: KRef, dev: string): void {
  if (adapterOf(tx, k, dev)?.msixEntries) {
    kernelPciDisableMsix(tx, k, dev);
    wAdapter(tx, k, dev).msixEntries = null;
  }
}

function macOf(tx: Tx, k: KRef, dev: string): string {
  const host = kernelOf(tx.s, k).pci[dev].hostBdf;
  return tx.s.dom0.vfMacs[host] ?? '00:00:00:00:00:00';
}

/** igbvf_probe() */
export function igbvfProbe(tx: Tx, k: KRef, dev: string): number {
  const err = pciEnableDeviceMem(tx, k, dev);
  if (err) return err;
  wPciDev(tx, k, dev).driver = 'igbvf';
  pciSetMaster(tx, k, dev);
  const kern = wKernel(tx, k);
  // This transaction's own adapter: it stays in the table, so it is written without another lookup.
  const adapter: IgbvfAdapter = own(tx, {
    dev,
    netdev: '',
    msixEntries: null,
    running: false,
  });
  (kern.igbvf = owned(tx, kern.igbvf, copyRecord))[dev] = adapter;
  igbvfSetInterruptCapability(tx, k, dev);
  // register_netdev("eth%d"): the lowest free index (below nextNetdev: netfront's vif or the PFs' own NICs).
  let n = kern.nextNetdev;
  while (kern.netdevs[ethName(n)]) n++;
  const name = ethName(n);
  adapter.netdev = name;
  (kern.netdevs = owned(tx, kern.netdevs, copyRecord))[name] = own(tx, {
    name,
    dev,
    driver: 'igbvf',
    up: false,
    configured: false,
  });
  const pd = kernelOf(tx.s, k).pci[dev];
  devPrintk(tx, k, pd, 'Intel(R) 82576 Virtual Function');
  devPrintk(tx, k, pd, `Address: ${macOf(tx, k, dev)}`);
  devPrintk(tx, k, pd, 'MAC: 1');
  return 0;
}

/** igbvf_request_irq() → igbvf_request_msix(): "%s-tx-0", "%s-rx-0", then the netdev name. */
function igbvfRequestIrq(tx: Tx, k: KRef, dev: string): number {
  const a = adapterOf(tx, k, dev);
  let err = -1;
  if (a?.msixEntries) {
    err = 0;
    for (let v = 0; v < 3 && !err; v++) {
      const name = v === 0 ? `${a.netdev}-tx-0` : v === 1 ? `${a.netdev}-rx-0` : a.netdev;
      err = requestIrq(tx, k, a.msixEntries[v].vector, name, dev, a.msixEntries[v].entry);
    }
    if (!err) return 0;
  }
  devPrintk(tx, k, kernelOf(tx.s, k).pci[dev], `Unable to allocate interrupt, Error: ${err}`);
  return err;
}

/** igbvf_free_irq() */
function igbvfFreeIrq(tx: Tx, k: KRef, dev: string): void {
  const a = adapterOf(tx, k, dev);
  if (!a?.msixEntries) return;
  for (let v = 0; v < 3; v++) freeIrq(tx, k, a.msixEntries[v].vector);
}

/** igbvf_open() (ifup): request the irqs and bring the queues up. */
export function igbvfOpen(tx: Tx, k: KRef, dev: string): number {
  const a = adapterOf(tx, k, dev);
  if (!a) return -19;
  if (a.running) return 0;
  const err = igbvfRequestIrq(tx, k, dev);
  if (err) return err;
  wAdapter(tx, k, dev).running = true;
  return 0;
}

/** igbvf_close() (ifdown): igbvf_down() and free the irqs. */
export function igbvfClose(tx: Tx, k: KRef, dev: string): void {
  const a = adapterOf(tx, k, dev);
  if (!a || !a.running) return;
  igbvfFreeIrq(tx, k, dev);
  wAdapter(tx, k, dev).running = false;
}

/** igbvf_remove() (rmmod / unbind / hot-unplug): unregister_netdev(), pci_disable_msix(), pci_disable_device(). */
export function igbvfRemove(tx: Tx, k: KRef, dev: string): void {
  const a = adapterOf(tx, k, dev);
  if (a) {
    igbvfClose(tx, k, dev);
    delete w(tx, wKernel(tx, k), 'netdevs', copyRecord)[a.netdev];
    igbvfResetInterruptCapability(tx, k, dev);
    delete w(tx, wKernel(tx, k), 'igbvf', copyRecord)[dev];
  }
  pciDisableDevice(tx, k, dev);
  wPciDev(tx, k, dev).driver = null;
}

/**
 * igbvf_shutdown() → igbvf_suspend(): detach; if running, igbvf_down() + igbvf_free_irq(); then
 * pci_disable_device(). kernel-xen is built without CONFIG_PM (so no pci_save_state() here): Laszlo's trace
 * (seed 001 c.16) goes straight to pci_disable_device(), and msi-xen.c's pci_save_msix_state() would have
 * failed in a domU (mask_base is NULL there) and returned before it.
 */
export function igbvfShutdown(tx: Tx, k: KRef, dev: string): void {
  const a = adapterOf(tx, k, dev);
  if (a?.running) {
    igbvfFreeIrq(tx, k, dev);
    wAdapter(tx, k, dev).running = false;
  }
  pciDisableDevice(tx, k, dev);
}
