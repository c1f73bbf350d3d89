// xen/drivers/passthrough/pci.c (+ iommu.c): the hypervisor's PCI device list and device ownership.
import type { HostState } from '../core/state';
import { emit, ownedFrom, w, type Tx, mXen } from '../core/tx';
import { copyPdev, copyRecord } from '../core/copy';
import { hex } from '../core/format';
import { xenPrintk } from './console';
import { EBUSY, ENODEV } from './errno';
import { hasPdevModel } from '../profiles/stack2';
import { pciAddDevice4x, pciRemoveDevice4x, scanPciDevices4x } from './pdev';
import { iommuEnabled, reassignDeviceOwnership } from './vtd';
import type { XenPdev } from './types';

/**
 * Boot scan (scan_pci_devices): every function present now is recorded, owned by dom0, silently.
 * VFs do not exist yet (their Vendor ID reads 0xffff anyway), so dom0 reports them later.
 */
export function scanPciDevices(tx: Tx): void {
  if (hasPdevModel(tx.s)) return scanPciDevices4x(tx); // Xen 4.x: alloc_pdev + bus2bridge (Engine II)
  const pdevs = w(tx, mXen(tx), 'pdevs');
  for (const bdf of Object.keys(tx.s.hw.fns).sort()) {
    const fn = tx.s.hw.fns[bdf];
    if ((fn.cfg[0] & 0xffff) === 0xffff) continue;
    pdevs[bdf] = { bdf, domid: 0 };
  }
}

/** pci_add_device() (PHYSDEVOP_manage_pci_add): alloc_pdev returns an existing record unchanged. */
export function pciAddDevice(tx: Tx, bdf: string, bus: number, devfn: number): number {
  if (hasPdevModel(tx.s)) {
    const pf = tx.s.hw.fns[bdf]?.physfn;
    const pfFn = pf ? tx.s.hw.fns[pf] : undefined;
    const info = pfFn ? { isVirtfn: true, physfn: { bus: pfFn.bus, devfn: pfFn.devfn } } : null;
    return pciAddDevice4x(tx, 0, bus, devfn, info);
  }
  const pdevs = w(tx, mXen(tx), 'pdevs');
  if (!pdevs[bdf]) pdevs[bdf] = { bdf, domid: 0 };
  // Xen 3.x form (seed 001 c.45): "(XEN) PCI add device 01:10.0"
  xenPrintk(tx, `PCI add device ${hex(bus, 2)}:${hex(devfn >> 3, 2)}.${devfn & 7}`);
  return 0;
}

export function pciRemoveDevice(tx: Tx, bdf: string, bus: number, devfn: number): number {
  if (hasPdevModel(tx.s)) return pciRemoveDevice4x(tx, 0, bus, devfn);
  if (!tx.s.xen.pdevs[bdf]) return -ENODEV;
  delete w(tx, mXen(tx), 'pdevs')[bdf];
  xenPrintk(tx, `PCI remove device ${hex(bus, 2)}:${hex(devfn >> 3, 2)}.${devfn & 7}`);
  return 0;
}

function wPdevs(tx: Tx): Record<string, XenPdev> {
  const xen = mXen(tx);
  return (xen.pdevs = ownedFrom(tx, xen.pdevs, tx.base.xen.pdevs, copyRecord));
}

function wPdev(tx: Tx, bdf: string): XenPdev {
  const pdevs = wPdevs(tx);
  return (pdevs[bdf] = ownedFrom(tx, pdevs[bdf], tx.base.xen.pdevs[bdf], copyPdev));
}

export function pdevOwner(s: HostState, bdf: string): number | null {
  const p = s.xen.pdevs[bdf];
  return p ? p.domid : null;
}

/** assign_device() (XEN_DOMCTL_assign_device): move IOMMU ownership from dom0 to a guest. */
export function assignDevice(tx: Tx, domid: number, bdf: string): number {
  const p = tx.s.xen.pdevs[bdf];
  if (!p) return -ENODEV;
  if (p.domid !== 0 && p.domid !== domid) return -EBUSY;
  // Xen 4.x: intel_iommu_assign_device() → reassign_device_ownership() (VT-d contexts, Engine II).
  if (hasPdevModel(tx.s) && iommuEnabled(tx.s)) {
    reassignDeviceOwnership(tx, p.domid, domid, bdf);
    return 0;
  }
  const rec = wPdev(tx, bdf);
  rec.domid = domid;
  return 0;
}

/** deassign_device(): back to dom0. */
export function deassignDevice(tx: Tx, domid: number, bdf: string): void {
  const p = tx.s.xen.pdevs[bdf];
  if (!p || p.domid !== domid) return;
  if (hasPdevModel(tx.s) && iommuEnabled(tx.s)) reassignDeviceOwnership(tx, domid, 0, bdf);
  const rec = wPdev(tx, bdf);
  rec.domid = 0;
  emit(tx, {
    type: 'device.assignment',
    bdf,
    action: 'deassigned',
    driver: null,
    domid,
    domain: null,
  });
}
