// RHEL-5 qemu-dm PCI passthrough (tools/ioemu pass-through), just far enough for HVM guests with a VF
// (scenario S-A3): config space is emulated over the real device, the MSI-X table is shadowed, and enabling
// MSI-X maps a pirq per entry for the HVM domain and binds it to the guest vector. dom0's msi_dev_head is
// never involved (seed 001 c.43). The exact qemu-dm code paths and their log lines are UNVERIFIED (no seed
// shows them), so nothing is printed. Engine II's qemu-xen xen_pt model sits next to this file.
import type { HostState } from '../core/state';
import { own, w, type Tx, mQemu, wQemu } from '../core/tx';
import { bdfOf, splitBdf } from '../core/format';
import * as R from '../pci/constants';
import { hwCfgWrite, modelOf } from '../pci/hw';
import { virtualConfig } from './virtual-config';
import { msixSetMask, ptIrqBindMsi } from '../xen/irq';
import { physdevMapPirq, physdevUnmapPirq } from '../xen/physdev';
import type { LinuxPciDev } from '../dom0/types';
import type { QemuPtDevice } from './types';
import { pk } from '../core/keys';
import { usesQemuXen } from '../profiles/stack2';
import {
  xenPtCfgRead,
  xenPtCfgWrite,
  xenPtCreate,
  xenPtMsixWrite,
  xenPtRealize,
  xenPtUnrealize,
} from './xen_pt';
import { vfioCfgRead, vfioCfgWrite, vfioMsixTableWrite } from './vfio';
import { byDomid, dropByDomid, ofDomid, putByDomid } from '../core/domtab';

function ptDevice(s: HostState, domid: number, hostBdf: string): QemuPtDevice | undefined {
  return byDomid(s.qemu, domid)?.devices[hostBdf];
}

function wPtDevice(tx: Tx, domid: number, hostBdf: string): QemuPtDevice {
  return w(tx, w(tx, wQemu(tx, domid), 'devices'), hostBdf);
}

export function qemuCreate(tx: Tx, domid: number): void {
  putByDomid(mQemu(tx), own(tx, { domid, devices: own(tx, {}) }));
  if (usesQemuXen(tx.s)) xenPtCreate(tx, domid); // Engine II: upstream qemu-xen (xen_pt.ts)
}

export function qemuDestroy(tx: Tx, domid: number): void {
  if (byDomid(tx.s.qemu, domid)) dropByDomid(mQemu(tx), domid);
}

/** register_real_device(): the device appears at the first free guest slot from 00:04.0 (slot choice UNVERIFIED). */
export function qemuPtAddDevice(tx: Tx, domid: number, hostBdf: string): string {
  if (byDomid(tx.s.qemu, domid)?.kind === 'qemu-xen') return xenPtRealize(tx, domid, hostBdf);
  const devs = ofDomid(tx.s.qemu, domid).devices;
  const used = new Set(Object.values(devs).map((d) => d.guestBdf));
  let slot = 4;
  while (used.has(bdfOf(0, 0, slot << 3))) slot++;
  const fn = tx.s.hw.fns[hostBdf];
  const n = fn && modelOf(fn).msix ? modelOf(fn).msix!.entries : 0;
  const guestBdf = bdfOf(0, 0, slot << 3);
  const entries = Array.from({ length: n }, () => ({ addr: 0, data: 0, masked: true, pirq: -1 }));
  w(tx, wQemu(tx, domid), 'devices')[hostBdf] = own(tx, {
    hostBdf,
    guestBdf,
    msixEnabled: false,
    entries: own(tx, entries),
  });
  return guestBdf;
}

/** unregister_real_device(): unmap whatever pirqs are still mapped for the device. */
export function qemuPtRemoveDevice(tx: Tx, domid: number, hostBdf: string): void {
  if (byDomid(tx.s.qemu, domid)?.kind === 'qemu-xen') return xenPtUnrealize(tx, domid, hostBdf);
  const pt = ptDevice(tx.s, domid, hostBdf);
  if (!pt) return;
  for (const e of pt.entries) if (e.pirq >= 0) physdevUnmapPirq(tx, 0, domid, e.pirq);
  delete w(tx, wQemu(tx, domid), 'devices')[hostBdf];
}

function msixPos(s: HostState, hostBdf: string): number {
  const fn = s.hw.fns[hostBdf];
  return fn && modelOf(fn).msix ? modelOf(fn).msix!.offset : 0;
}

/** Emulated config read: IDs from the host's view (libpci), MSI-X Enable/Mask from the shadow, rest passed through. */
export function qemuCfgRead(
  s: HostState,
  domid: number,
  dev: LinuxPciDev,
  off: number,
  size: 1 | 2 | 4,
): number {
  const kind = byDomid(s.qemu, domid)?.kind;
  if (kind === 'qemu-xen') return xenPtCfgRead(s, domid, dev, off, size);
  if (kind === 'qemu-kvm') return vfioCfgRead(s, domid, dev, off, size);
  const host = dev.hostBdf;
  const cfg = virtualConfig(s, host, off, size);
  const pos = msixPos(s, host);
  const pt = ptDevice(s, domid, host);
  if (pos && pt) {
    const ctrlHi = (cfg.byteAt(pos + 3) ?? 0) & ~0xc0;
    cfg.put(pos + 3, ctrlHi | (pt.msixEnabled ? 0x80 : 0));
  }
  return cfg.value();
}

/** Emulated config write: MSI-X Message Control is handled by qemu-dm, BARs are virtual, the rest goes to the device. */
export function qemuCfgWrite(
  tx: Tx,
  domid: number,
  dev: LinuxPciDev,
  off: number,
  size: 1 | 2 | 4,
  value: number,
): void {
  const kind = byDomid(tx.s.qemu, domid)?.kind;
  if (kind === 'qemu-xen') return xenPtCfgWrite(tx, domid, dev, off, size, value);
  if (kind === 'qemu-kvm') return vfioCfgWrite(tx, domid, dev, off, size, value);
  const host = dev.hostBdf;
  const pos = msixPos(tx.s, host);
  if (pos && off <= pos + 3 && off + size > pos + 2) {
    const ctrl =
      size === 4 && off === pos
        ? value >>> 16
        : off === pos + 2
          ? value & 0xffff
          : (value & 0xff) << 8;
    ptMsixctrlRegWrite(tx, domid, host, ctrl);
    return;
  }
  if (off >= R.PCI_BASE_ADDRESS_0 && off < R.PCI_BASE_ADDRESS_0 + 24) return;
  if (off < 4) return;
  hwCfgWrite(tx, host, off, size, value);
}

/** pt_msixctrl_reg_write(): enabling maps and binds every entry; disabling unmaps them (UNVERIFIED for qemu-dm). */
function ptMsixctrlRegWrite(tx: Tx, domid: number, host: string, ctrl: number): void {
  const pt = ptDevice(tx.s, domid, host);
  if (!pt) return;
  const pos = msixPos(tx.s, host);
  const enable = (ctrl & R.PCI_MSIX_FLAGS_ENABLE) !== 0;
  if (enable && !pt.msixEnabled) {
    wPtDevice(tx, domid, host).msixEnabled = true;
    hwCfgWrite(tx, host, pos + R.PCI_MSIX_FLAGS, 2, R.PCI_MSIX_FLAGS_ENABLE);
    for (let i = 0; i < pt.entries.length; i++) ptMsixUpdateOne(tx, domid, host, i);
  } else if (!enable && pt.msixEnabled) {
    for (let i = 0; i < pt.entries.length; i++) {
      const e = ofDomid(tx.s.qemu, domid).devices[host].entries[i];
      if (e.pirq >= 0) {
        physdevUnmapPirq(tx, 0, domid, e.pirq);
        w(tx, w(tx, wPtDevice(tx, domid, host), 'entries'), i).pirq = -1;
      }
    }
    wPtDevice(tx, domid, host).msixEnabled = false;
    hwCfgWrite(tx, host, pos + R.PCI_MSIX_FLAGS, 2, 0);
  }
}

/** pt_msix_update_one(): map a pirq for the entry (xc_physdev_map_pirq_msi) and bind it to the guest vector. */
function ptMsixUpdateOne(tx: Tx, domid: number, host: string, i: number): void {
  const e = ofDomid(tx.s.qemu, domid).devices[host].entries[i];
  if (e.data === 0) return;
  let pirq = e.pirq;
  if (pirq < 0) {
    const a = splitBdf(host);
    const hd = tx.s.dom0.pci[host];
    const fn = tx.s.hw.fns[host];
    const bir = fn && modelOf(fn).msix ? modelOf(fn).msix!.bir : 0;
    const tableBase = hd?.resources[bir]?.start ?? 0;
    const r = physdevMapPirq(tx, 0, {
      domid,
      type: 'msi',
      index: -1,
      pirq: -1,
      bus: a.bus,
      devfn: a.devfn,
      entryNr: i,
      tableBase,
    });
    if (r.rc) return;
    pirq = r.pirq;
    w(tx, w(tx, wPtDevice(tx, domid, host), 'entries'), i).pirq = pirq;
  }
  ptIrqBindMsi(tx, domid, pirq, e.data & 0xff);
  const p = byDomid(tx.s.xen.domains, domid)?.pirqs[pk(pirq)];
  if (p && e.masked) msixSetMask(tx, p, true);
}

/** The guest writes an entry of the emulated table (msix_table write trapped by qemu-dm). */
export function qemuMsixTableWrite(
  tx: Tx,
  domid: number,
  host: string,
  entry: number,
  addr: number,
  data: number,
): void {
  const kind = byDomid(tx.s.qemu, domid)?.kind;
  if (kind === 'qemu-xen' || kind === 'qemu-kvm') {
    const write = kind === 'qemu-xen' ? xenPtMsixWrite : vfioMsixTableWrite;
    write(tx, domid, host, entry, R.PCI_MSIX_ENTRY_LOWER_ADDR, addr);
    write(tx, domid, host, entry, R.PCI_MSIX_ENTRY_UPPER_ADDR, 0);
    write(tx, domid, host, entry, R.PCI_MSIX_ENTRY_DATA, data);
    return;
  }
  if (!ptDevice(tx.s, domid, host)) return;
  const rec = w(tx, w(tx, wPtDevice(tx, domid, host), 'entries'), entry);
  rec.addr = addr;
  rec.data = data;
}

/** The guest (un)masks an entry (mask_msi_irq/unmask_msi_irq): qemu-dm forwards the mask to the real entry. */
export function qemuGuestMaskEntry(
  tx: Tx,
  domid: number,
  guestDev: string,
  entry: number,
  masked: boolean,
): void {
  const host = byDomid(tx.s.guests, domid)?.pci[guestDev]?.hostBdf;
  const kind = byDomid(tx.s.qemu, domid)?.kind;
  if (host && (kind === 'qemu-xen' || kind === 'qemu-kvm')) {
    const write = kind === 'qemu-xen' ? xenPtMsixWrite : vfioMsixTableWrite;
    write(tx, domid, host, entry, R.PCI_MSIX_ENTRY_VECTOR_CTRL, masked ? 1 : 0);
    return;
  }
  if (!host || !ptDevice(tx.s, domid, host)) return;
  const rec = w(tx, w(tx, wPtDevice(tx, domid, host), 'entries'), entry);
  rec.masked = masked;
  if (rec.pirq >= 0) {
    const p = byDomid(tx.s.xen.domains, domid)?.pirqs[pk(rec.pirq)];
    if (p) msixSetMask(tx, p, masked);
  }
}
