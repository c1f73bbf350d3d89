// drivers/pci/probe.c + iov.c + drivers/xen/core/pci.c: dom0 discovers functions (and SR-IOV VFs), builds
// their pci_devs and reports hot-added ones to the hypervisor.
import { own, random32, w, type Tx, mDom0Pci, mDom0 } from '../core/tx';
import { hex, splitBdf } from '../core/format';
import { deviceModel } from '../pci/catalog';
import { rawRead } from '../pci/config';
import * as R from '../pci/constants';
import { barAddress, hwCfgRead, hwCfgWrite, modelOf, virtfnBdf } from '../pci/hw';
import { pciAddDevice } from '../xen/pci';
import { ENOMEM, EINVAL } from '../xen/errno';
import { kprintk, wKernel } from './kernel';
import type { LinuxPciDev, LinuxResource } from './types';

function resourcesOf(tx: Tx, bdf: string): (LinuxResource | null)[] {
  const fn = tx.s.hw.fns[bdf];
  const m = modelOf(fn);
  const res: (LinuxResource | null)[] = [null, null, null, null, null, null];
  if (fn.physfn !== null) {
    const pf = tx.s.hw.fns[fn.physfn];
    const sr = modelOf(pf).sriov;
    for (const b of sr?.vfBars ?? []) {
      res[b.index] = { start: barAddress(tx.s, fn, b.index), size: b.size, flags: 'mem' };
    }
    return res;
  }
  for (const b of m.bars) {
    res[b.index] = {
      start: barAddress(tx.s, fn, b.index),
      size: b.size,
      flags: b.kind === 'io' ? 'io' : 'mem',
    };
  }
  return res;
}

function newPciDev(tx: Tx, bdf: string, vendor: number, device: number): LinuxPciDev {
  const fn = tx.s.hw.fns[bdf];
  return own(tx, {
    name: bdf,
    hostBdf: bdf,
    vendor,
    device,
    classCode: rawRead(fn.cfg, R.PCI_CLASS_PROG, 4) >>> 8,
    hdrType: rawRead(fn.cfg, R.PCI_HEADER_TYPE, 1) & 0x7f,
    irq: 0,
    isEnabled: false,
    isBusmaster: false,
    msiEnabled: false,
    msixEnabled: false,
    resources: resourcesOf(tx, bdf),
    driver: null,
    isVirtfn: fn.physfn !== null,
    physfn: fn.physfn,
    savedState: null,
  });
}

/** pci_scan_bus(): a pci_dev for every function that answers (Vendor ID != 0xffff). */
export function pciScanDevices(tx: Tx): void {
  const pci = mDom0Pci(tx);
  for (const bdf of Object.keys(tx.s.hw.fns).sort()) {
    const id = hwCfgRead(tx.s, bdf, R.PCI_VENDOR_ID, 4);
    if ((id & 0xffff) === 0xffff) continue;
    pci[bdf] = newPciDev(tx, bdf, id & 0xffff, id >>> 16);
  }
}

/**
 * sriov_enable() (drivers/pci/iov.c, RHEL-5 backport): NumVFs, then VF Enable | VF MSE; the device
 * instantiates its VFs; virtfn_add() creates a pci_dev for each (IDs from the PF, since a VF's own
 * Vendor/Device ID read 0xffff) and dom0 reports it to Xen (PHYSDEVOP_manage_pci_add).
 */
export function pciEnableSriov(tx: Tx, pf: string, nrVirtfn: number): number {
  const fn = tx.s.hw.fns[pf];
  const sr = modelOf(fn).sriov;
  if (!sr) return -19;
  if (nrVirtfn <= 0) return -EINVAL;
  const total = hwCfgRead(tx.s, pf, sr.offset + R.PCI_SRIOV_TOTAL_VF, 2);
  if (nrVirtfn > total) return -EINVAL;
  // With ARI off (2.6.18 never sets the ARI Capable Hierarchy bit) the First VF Offset keeps VFs on the PF's bus.
  const lastBus = splitBdf(virtfnBdf(fn, nrVirtfn - 1)).bus;
  const up = Object.values(tx.s.hw.fns).find(
    (b) =>
      modelOf(b).headerType === 1 &&
      fn.bus >= rawRead(b.cfg, R.PCI_SECONDARY_BUS, 1) &&
      fn.bus <= rawRead(b.cfg, R.PCI_SUBORDINATE_BUS, 1),
  );
  const busEnd = up ? rawRead(up.cfg, R.PCI_SUBORDINATE_BUS, 1) : 0xff;
  if (lastBus > busEnd) {
    kprintk(
      tx,
      'dom0',
      `igb ${pf}: can't enable ${nrVirtfn} VFs (bus ${hex(lastBus, 2)} out of range of [bus ${hex(fn.bus, 2)}-${hex(busEnd, 2)}])`,
    );
    return -ENOMEM;
  }
  hwCfgWrite(tx, pf, sr.offset + R.PCI_SRIOV_NUM_VF, 2, nrVirtfn);
  const ctrl = hwCfgRead(tx.s, pf, sr.offset + R.PCI_SRIOV_CTRL, 2);
  hwCfgWrite(
    tx,
    pf,
    sr.offset + R.PCI_SRIOV_CTRL,
    2,
    ctrl | R.PCI_SRIOV_CTRL_VFE | R.PCI_SRIOV_CTRL_MSE,
  );
  const vendor = tx.s.dom0.pci[pf].vendor;
  const vfDid = hwCfgRead(tx.s, pf, sr.offset + R.PCI_SRIOV_VF_DID, 2);
  for (let i = 0; i < nrVirtfn; i++) {
    const bdf = virtfnBdf(tx.s.hw.fns[pf], i);
    virtfnAdd(tx, bdf, vendor, vfDid);
  }
  return 0;
}

/** virtfn_add(): the VF's pci_dev, its MAC from the PF driver, and the report to Xen. */
function virtfnAdd(tx: Tx, bdf: string, vendor: number, device: number): void {
  const kern = wKernel(tx, 'dom0');
  w(tx, kern, 'pci')[bdf] = newPciDev(tx, bdf, vendor, device);
  // igb gives each VF a random, locally administered unicast address (random_ether_addr).
  const bytes: number[] = [];
  for (let i = 0; i < 6; i++) bytes.push(random32(tx) & 0xff);
  bytes[0] = (bytes[0] & 0xfe) | 0x02;
  w(tx, mDom0(tx), 'vfMacs')[bdf] = bytes.map((b) => hex(b, 2)).join(':');
  const a = splitBdf(bdf);
  pciAddDevice(tx, bdf, a.bus, a.devfn);
}

export function isVfModel(modelId: string): boolean {
  return deviceModel(modelId).isVf;
}
