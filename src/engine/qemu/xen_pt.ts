// qemu-xen PCI passthrough (hw/xen/xen_pt.c, xen_pt_config_init.c, xen_pt_msi.c; spec §8.1, R23, R24):
// the guest-visible MSI/MSI-X state, per-entry pirq and `updated` flag, mapping through
// xc_physdev_map_pirq_msi on enable, binding through xc_domain_update_msi_irq, and — with changeset
// `qemu-unmap-pirqs` (qemu c976437, every QEMU since 2.1) — unmapping every pirq when the guest disables
// MSI/MSI-X while the address/data stay in the emulated table. Seed 002.
import type { HostState } from '../core/state';
import { own, printk, w, type Tx, wQemu } from '../core/tx';
import { bdfOf, hex, splitBdf } from '../core/format';
import * as R from '../pci/constants';
import { findCapRaw } from '../pci/config';
import { hwCfgRead, hwCfgWrite, modelOf } from '../pci/hw';
import { hasChangeset } from '../profiles/stack';
import { stackOf } from '../profiles/stack2';
import { msixSetMask, ptIrqBindMsi, wXenDomain } from '../xen/irq';
import { physdevMapPirq, physdevUnmapPirq } from '../xen/physdev';
import type { LinuxPciDev } from '../dom0/types';
import { virtualConfig } from './virtual-config';
import type { XenPtMsi, XenPtMsixEntry, XenPtState } from './types';
import { pk } from '../core/keys';
import { byDomid, ofDomid } from '../core/domtab';

/** XEN_PT_UNASSIGNED_PIRQ */
export const XEN_PT_UNASSIGNED_PIRQ = -1;

/** C's "%#x": 0 prints as "0", anything else with a 0x prefix. */
function hx(n: number): string {
  return n === 0 ? '0' : `0x${(n >>> 0).toString(16)}`;
}

function ptState(s: HostState, domid: number, host: string): XenPtState | undefined {
  return byDomid(s.qemu, domid)?.xenPt?.[host];
}

function wPt(tx: Tx, domid: number, host: string): XenPtState {
  return w(tx, w(tx, wQemu(tx, domid), 'xenPt'), host);
}

function wEntry(tx: Tx, domid: number, host: string, i: number): XenPtMsixEntry {
  return w(tx, w(tx, wPt(tx, domid, host), 'entries'), i);
}

/** xen_pt_log(): "[%02x:%02x.%d] " with the guest device's address, then "%s: " __func__. */
function ptLog(tx: Tx, guestBdf: string, func: string, text: string): void {
  if (!stackOf(tx.s).qemuPtLogging) return;
  printk(tx, 'qemu', `[${guestBdf.slice(5)}] ${func}: ${text}`);
}

/** XEN_PT_ERR(): always printed. */
function ptErr(tx: Tx, guestBdf: string, func: string, text: string): void {
  printk(tx, 'qemu', `[${guestBdf.slice(5)}] ${func}: Error: ${text}`);
}

/** A qemu-xen device model for an HVM domain (instead of RHEL-5 qemu-dm). */
export function xenPtCreate(tx: Tx, domid: number): void {
  const q = wQemu(tx, domid);
  q.kind = 'qemu-xen';
  q.xenPt = own(tx, {});
}

/**
 * xen_pt_realize(): the device appears at the first free slot after the emulated ones (00:05.0 with one
 * emulated NIC at 00:04.0; slot choice UNVERIFIED); MSI/MSI-X emulation initialised from the real caps.
 */
export function xenPtRealize(tx: Tx, domid: number, hostBdf: string): string {
  const q = ofDomid(tx.s.qemu, domid);
  const used = new Set(Object.values(q.devices).map((d) => d.guestBdf));
  let slot = 5;
  while (used.has(bdfOf(0, 0, slot << 3))) slot++;
  const guestBdf = bdfOf(0, 0, slot << 3);
  const fn = tx.s.hw.fns[hostBdf];
  const m = fn ? modelOf(fn) : null;
  const nEntries = m?.msix ? m.msix.entries : 0;
  const hd = tx.s.dom0.pci[hostBdf];
  const tableBase = m?.msix ? (hd?.resources[m.msix.bir]?.start ?? 0) : 0;
  const entries: XenPtMsixEntry[] = [];
  for (let i = 0; i < nEntries; i++) {
    entries.push({
      addrLo: 0,
      addrHi: 0,
      data: 0,
      vectorCtrl: R.PCI_MSIX_ENTRY_CTRL_MASKBIT,
      pirq: XEN_PT_UNASSIGNED_PIRQ,
      updated: false,
      warned: false,
    });
  }
  const msi: XenPtMsi | null = m?.msi
    ? { flags: 0, addrLo: 0, addrHi: 0, data: 0, pirq: -1, initialized: false, mapped: false }
    : null;
  const qw = wQemu(tx, domid);
  w(tx, qw, 'devices')[hostBdf] = own(tx, {
    hostBdf,
    guestBdf,
    msixEnabled: false,
    entries: own(tx, []),
  });
  w(tx, qw, 'xenPt')[hostBdf] = own(tx, {
    hostBdf,
    guestBdf,
    msixEnabled: false,
    maskall: false,
    entries: own(tx, entries),
    tableBase,
    msi,
  });
  const a = splitBdf(hostBdf);
  ptLog(
    tx,
    guestBdf,
    'xen_pt_realize',
    `Assigning real physical device ${hex(a.bus, 2)}:${hex(a.devfn >> 3, 2)}.${a.devfn & 7} to devfn ${hx(slot << 3)}`,
  );
  return guestBdf;
}

/** xen_pt_unregister_device(): MSI and MSI-X torn down (unbind + unmap), the device goes. */
export function xenPtUnrealize(tx: Tx, domid: number, hostBdf: string): void {
  const st = ptState(tx.s, domid, hostBdf);
  if (!st) return;
  if (st.msi?.mapped) xenPtMsiDisable(tx, domid, hostBdf);
  if (st.entries.length > 0) xenPtMsixDisable(tx, domid, hostBdf);
  const qw = wQemu(tx, domid);
  delete w(tx, qw, 'xenPt')[hostBdf];
  delete w(tx, qw, 'devices')[hostBdf];
}

function msixPos(s: HostState, host: string): number {
  const fn = s.hw.fns[host];
  return fn ? findCapRaw(fn.cfg, R.PCI_CAP_ID_MSIX) : 0;
}

function msiPos(s: HostState, host: string): number {
  const fn = s.hw.fns[host];
  return fn ? findCapRaw(fn.cfg, R.PCI_CAP_ID_MSI) : 0;
}

/** msi_gflags(): destination, redirection hint, destination mode, delivery mode, trigger mode. */
function msiGflags(data: number, addrLo: number): number {
  const dest = (addrLo >>> 12) & 0xff;
  const rh = (addrLo >>> 3) & 1;
  const dm = (addrLo >>> 2) & 1;
  const deliv = (data >>> 8) & 7;
  const trig = (data >>> 15) & 1;
  return (dest | (rh << 8) | (dm << 9) | (deliv << 12) | (trig << 15)) >>> 0;
}

/**
 * msi_msix_setup(): a message with vector 0 names its pirq in the destination id (xen_is_pirq_msi, the
 * PV-on-HVM convention: "requested pirq"); an unmapped entry is mapped with xc_physdev_map_pirq_msi.
 */
function msiMsixSetup(
  tx: Tx,
  domid: number,
  st: XenPtState,
  addrLo: number,
  addrHi: number,
  data: number,
  pirqIn: number,
  isMsix: boolean,
  entryNr: number,
  isNotMapped: boolean,
): { rc: number; pirq: number } {
  const gvec = data & 0xff;
  let pirq = pirqIn;
  const X = isMsix ? '-X' : '';
  if (gvec === 0) {
    pirq = (addrHi & 0xffffff00) | ((addrLo >>> 12) & 0xff);
    if (!pirq) pirq = XEN_PT_UNASSIGNED_PIRQ;
    else
      ptLog(
        tx,
        st.guestBdf,
        'msi_msix_setup',
        `requested pirq ${pirq} for MSI${X} (vec: ${hx(gvec)}, entry: ${hx(entryNr)})`,
      );
  }
  if (isNotMapped) {
    const a = splitBdf(st.hostBdf);
    const r = physdevMapPirq(tx, 0, {
      domid,
      type: 'msi',
      index: -1,
      pirq: pirq < 0 ? -1 : pirq,
      bus: a.bus,
      devfn: a.devfn,
      entryNr,
      tableBase: isMsix ? st.tableBase : 0,
    });
    if (r.rc) {
      ptErr(
        tx,
        st.guestBdf,
        'msi_msix_setup',
        `Mapping of MSI${X} (rc: ${r.rc}, vec: ${hx(gvec)}, entry ${hx(entryNr)})`,
      );
      return { rc: r.rc, pirq };
    }
    pirq = r.pirq;
  }
  return { rc: 0, pirq };
}

/** msi_msix_update(): xc_domain_update_msi_irq(gvec, pirq, gflags); on failure unmap the old pirq. */
function msiMsixUpdate(
  tx: Tx,
  domid: number,
  st: XenPtState,
  addrLo: number,
  data: number,
  pirq: number,
  isMsix: boolean,
  entryNr: number,
  oldPirq: number,
): { rc: number; oldPirq: number } {
  const gvec = data & 0xff;
  const X = isMsix ? '-X' : '';
  ptLog(
    tx,
    st.guestBdf,
    'msi_msix_update',
    `Updating MSI${X} with pirq ${pirq} gvec ${hx(gvec)} gflags ${hx(msiGflags(data, addrLo))} (entry: ${hx(entryNr)})`,
  );
  const rc = ptIrqBindMsi(tx, domid, pirq, gvec);
  if (rc) {
    ptErr(tx, st.guestBdf, 'msi_msix_update', `Updating of MSI${X} failed. (err: ${-rc})`);
    const urc = physdevUnmapPirq(tx, 0, domid, oldPirq);
    if (urc) {
      ptErr(
        tx,
        st.guestBdf,
        'msi_msix_update',
        `Unmapping of MSI${X} pirq ${oldPirq} failed. (err: ${-urc})`,
      );
    }
    return { rc, oldPirq: XEN_PT_UNASSIGNED_PIRQ };
  }
  return { rc: 0, oldPirq };
}

/** xc_domain_unbind_msi_irq → pt_irq_destroy_bind(): the guest vector goes, the entry is masked. */
function ptIrqDestroyBind(tx: Tx, domid: number, pirq: number): void {
  const p = byDomid(tx.s.xen.domains, domid)?.pirqs[pk(pirq)];
  if (!p || p.dpci === null) return;
  const rec = w(tx, w(tx, wXenDomain(tx, domid), 'pirqs'), pk(pirq));
  rec.dpci = null;
  if (rec.evtchn === 0) msixSetMask(tx, rec, true);
}

/** msi_msix_disable(): unbind (if bound) and unmap one pirq. */
function msiMsixDisable(
  tx: Tx,
  domid: number,
  st: XenPtState,
  data: number,
  pirq: number,
  isMsix: boolean,
  isBinded: boolean,
): void {
  if (pirq === XEN_PT_UNASSIGNED_PIRQ) return;
  const gvec = data & 0xff;
  const X = isMsix ? '-X' : '';
  if (isBinded) {
    ptLog(
      tx,
      st.guestBdf,
      'msi_msix_disable',
      `Unbind MSI${X} with pirq ${pirq}, gvec ${hx(gvec)}`,
    );
    ptIrqDestroyBind(tx, domid, pirq);
  }
  ptLog(tx, st.guestBdf, 'msi_msix_disable', `Unmap MSI${X} pirq ${pirq}`);
  const rc = physdevUnmapPirq(tx, 0, domid, pirq);
  if (rc) {
    ptErr(
      tx,
      st.guestBdf,
      'msi_msix_disable',
      `Unmapping of MSI${X} pirq ${pirq} failed. (err: ${-rc})`,
    );
  }
}

/** xen_pt_msix_update_one(): map (if unassigned) and bind an entry the guest changed. */
function xenPtMsixUpdateOne(tx: Tx, domid: number, host: string, i: number): number {
  const st = ptState(tx.s, domid, host);
  if (!st || i >= st.entries.length) return -22;
  const e = st.entries[i];
  if (!e.updated) return 0;
  const setup = msiMsixSetup(
    tx,
    domid,
    st,
    e.addrLo,
    e.addrHi,
    e.data,
    e.pirq,
    true,
    i,
    e.pirq === XEN_PT_UNASSIGNED_PIRQ,
  );
  if (setup.rc) return setup.rc;
  if (e.pirq === XEN_PT_UNASSIGNED_PIRQ) wEntry(tx, domid, host, i).pirq = setup.pirq;
  const cur = ptState(tx.s, domid, host)?.entries[i] ?? e;
  const upd = msiMsixUpdate(tx, domid, st, e.addrLo, e.data, setup.pirq, true, i, cur.pirq);
  const we = wEntry(tx, domid, host, i);
  we.pirq = upd.oldPirq;
  if (!upd.rc) we.updated = false;
  return upd.rc;
}

/** xen_pt_msix_disable(): clear the real Enable; unbind and unmap every entry; addr/data stay. */
export function xenPtMsixDisable(tx: Tx, domid: number, host: string): void {
  const st = ptState(tx.s, domid, host);
  if (!st) return;
  const pos = msixPos(tx.s, host);
  if (pos) {
    const ctrl = hwCfgRead(tx.s, host, pos + R.PCI_MSIX_FLAGS, 2);
    hwCfgWrite(tx, host, pos + R.PCI_MSIX_FLAGS, 2, ctrl & ~R.PCI_MSIX_FLAGS_ENABLE);
  }
  for (let i = 0; i < st.entries.length; i++) {
    const e = ptState(tx.s, domid, host)?.entries[i];
    if (!e) continue;
    msiMsixDisable(tx, domid, st, e.data, e.pirq, true, true);
    if (e.pirq !== XEN_PT_UNASSIGNED_PIRQ || e.updated) {
      const we = wEntry(tx, domid, host, i);
      we.pirq = XEN_PT_UNASSIGNED_PIRQ;
      we.updated = false;
    }
  }
}

/**
 * QEMU before c976437: disabling MSI-X leaves every pirq mapped and bound in the hypervisor while the
 * entries start over — "Pirqs are not freed when driver unload, then new pirqs are allocated when driver
 * reload" (the commit's own description; the exact pre-2.1 code path is DERIVED from it).
 */
function xenPtMsixForget(tx: Tx, domid: number, host: string): void {
  const st = ptState(tx.s, domid, host);
  if (!st) return;
  for (let i = 0; i < st.entries.length; i++) {
    const e = st.entries[i];
    if (e.pirq === XEN_PT_UNASSIGNED_PIRQ && !e.updated) continue;
    const we = wEntry(tx, domid, host, i);
    we.pirq = XEN_PT_UNASSIGNED_PIRQ;
    we.updated = false;
  }
}

/**
 * xen_pt_msixctrl_reg_write(): Enable|MaskAll go through to the device; Enable without MaskAll updates
 * every entry; clearing Enable runs xen_pt_msix_disable() — only since qemu c976437 (`qemu-unmap-pirqs`).
 */
function xenPtMsixctrlRegWrite(tx: Tx, domid: number, host: string, ctrl: number): void {
  const st = ptState(tx.s, domid, host);
  if (!st) return;
  const pos = msixPos(tx.s, host);
  const through = ctrl & (R.PCI_MSIX_FLAGS_ENABLE | R.PCI_MSIX_FLAGS_MASKALL);
  const hw = hwCfgRead(tx.s, host, pos + R.PCI_MSIX_FLAGS, 2);
  hwCfgWrite(
    tx,
    host,
    pos + R.PCI_MSIX_FLAGS,
    2,
    (hw & ~(R.PCI_MSIX_FLAGS_ENABLE | R.PCI_MSIX_FLAGS_MASKALL)) | through,
  );
  const enable = (ctrl & R.PCI_MSIX_FLAGS_ENABLE) !== 0;
  const maskall = (ctrl & R.PCI_MSIX_FLAGS_MASKALL) !== 0;
  if (enable && !maskall) {
    for (let i = 0; i < st.entries.length; i++) xenPtMsixUpdateOne(tx, domid, host, i);
  } else if (!enable && st.msixEnabled) {
    if (hasChangeset(tx.s, 'qemu-unmap-pirqs')) xenPtMsixDisable(tx, domid, host);
    else xenPtMsixForget(tx, domid, host);
  }
  const ws = wPt(tx, domid, host);
  ws.maskall = maskall;
  const was = ws.msixEnabled;
  ws.msixEnabled = enable;
  if (enable !== was)
    ptLog(tx, st.guestBdf, 'xen_pt_msixctrl_reg_write', `${enable ? 'enable' : 'disable'} MSI-X`);
  w(tx, w(tx, wQemu(tx, domid), 'devices'), host).msixEnabled = enable;
}

/**
 * pci_msix_write() (QEMU 2.x): address/data writes equal to the stored value with a pirq assigned are
 * ignored; while MSI-X is enabled and the real entry is unmasked they are refused ("Can't update msix
 * entry"); otherwise the entry is marked `updated`. Unmasking a vector while enabled updates it. Once an
 * entry is bound, Xen's msixtbl intercepts vector-control writes and applies them to the real entry.
 */
export function xenPtMsixWrite(
  tx: Tx,
  domid: number,
  host: string,
  entryNr: number,
  offset: number,
  val: number,
): void {
  const st = ptState(tx.s, domid, host);
  if (!st || entryNr >= st.entries.length) return;
  const e = st.entries[entryNr];
  const v = val >>> 0;
  if (offset === R.PCI_MSIX_ENTRY_VECTOR_CTRL && e.pirq >= 0) {
    const p = byDomid(tx.s.xen.domains, domid)?.pirqs[pk(e.pirq)];
    if (p && p.dpci !== null) {
      // msixtbl_write() in the hypervisor: the mask bit reaches the device, QEMU's copy goes stale.
      msixSetMask(tx, p, (v & R.PCI_MSIX_ENTRY_CTRL_MASKBIT) !== 0);
      return;
    }
  }
  if (offset !== R.PCI_MSIX_ENTRY_VECTOR_CTRL) {
    const cur = offset === 0 ? e.addrLo : offset === 4 ? e.addrHi : e.data;
    if (cur === v && e.pirq !== XEN_PT_UNASSIGNED_PIRQ) return;
    const fn = tx.s.hw.fns[host];
    const physCtrl = fn ? (fn.table[entryNr * 4 + 3] ?? R.PCI_MSIX_ENTRY_CTRL_MASKBIT) : 1;
    if (st.msixEnabled && !(physCtrl & R.PCI_MSIX_ENTRY_CTRL_MASKBIT)) {
      if (!e.warned) {
        wEntry(tx, domid, host, entryNr).warned = true;
        ptErr(
          tx,
          st.guestBdf,
          'pci_msix_write',
          `Can't update msix entry ${entryNr} since MSI-X is already enabled.`,
        );
      }
      return;
    }
    const we = wEntry(tx, domid, host, entryNr);
    we.updated = true;
    if (offset === 0) we.addrLo = v;
    else if (offset === 4) we.addrHi = v;
    else we.data = v;
    return;
  }
  wEntry(tx, domid, host, entryNr).vectorCtrl = v;
  if (st.msixEnabled && !(v & R.PCI_MSIX_ENTRY_CTRL_MASKBIT)) {
    xenPtMsixUpdateOne(tx, domid, host, entryNr);
  }
}

/** pci_msix_read(): the emulated entry. */
export function xenPtMsixRead(
  s: HostState,
  domid: number,
  host: string,
  entryNr: number,
  offset: number,
): number {
  const e = ptState(s, domid, host)?.entries[entryNr];
  if (!e) return 0xffffffff;
  if (offset === 0) return e.addrLo;
  if (offset === 4) return e.addrHi;
  if (offset === 8) return e.data;
  return e.vectorCtrl;
}

/** xen_pt_msi_disable(): unbind and unmap the MSI pirq. */
function xenPtMsiDisable(tx: Tx, domid: number, host: string): void {
  const st = ptState(tx.s, domid, host);
  if (!st?.msi) return;
  msiMsixDisable(tx, domid, st, st.msi.data, st.msi.pirq, false, st.msi.initialized);
  const msi = w(tx, wPt(tx, domid, host), 'msi');
  msi.flags &= ~R.PCI_MSI_FLAGS_ENABLE;
  msi.initialized = false;
  msi.mapped = false;
  msi.pirq = XEN_PT_UNASSIGNED_PIRQ;
}

/** xen_pt_msi_setup() + xen_pt_msi_update(). */
function xenPtMsiSetupUpdate(tx: Tx, domid: number, host: string, setup: boolean): number {
  const st = ptState(tx.s, domid, host);
  if (!st?.msi) return -22;
  const m = st.msi;
  let pirq = m.pirq;
  if (setup) {
    if (m.pirq !== XEN_PT_UNASSIGNED_PIRQ) return -22;
    const r = msiMsixSetup(tx, domid, st, m.addrLo, m.addrHi, m.data, m.pirq, false, 0, true);
    if (r.rc) return r.rc;
    pirq = r.pirq;
    w(tx, wPt(tx, domid, host), 'msi').pirq = pirq;
  }
  const upd = msiMsixUpdate(tx, domid, st, m.addrLo, m.data, pirq, false, 0, pirq);
  if (upd.rc) w(tx, wPt(tx, domid, host), 'msi').pirq = upd.oldPirq;
  return upd.rc;
}

/** xen_pt_msgctrl_reg_write() and the address/data register writes of the MSI capability. */
function xenPtMsiWrite(
  tx: Tx,
  domid: number,
  host: string,
  off: number,
  size: number,
  value: number,
): void {
  const st = ptState(tx.s, domid, host);
  const pos = msiPos(tx.s, host);
  if (!st?.msi || !pos) return;
  const is64 = (hwCfgRead(tx.s, host, pos + R.PCI_MSI_FLAGS, 2) & R.PCI_MSI_FLAGS_64BIT) !== 0;
  const dataOff = pos + (is64 ? R.PCI_MSI_DATA_64 : R.PCI_MSI_DATA_32);
  const rel = off - pos;
  if (rel === R.PCI_MSI_ADDRESS_LO || (is64 && rel === R.PCI_MSI_ADDRESS_HI) || off === dataOff) {
    const msi = w(tx, wPt(tx, domid, host), 'msi');
    const old = { addrLo: msi.addrLo, addrHi: msi.addrHi, data: msi.data };
    if (rel === R.PCI_MSI_ADDRESS_LO) msi.addrLo = value & 0xfffffffc;
    else if (off === dataOff) msi.data = value & 0xffff;
    else msi.addrHi = value >>> 0;
    const changed = old.addrLo !== msi.addrLo || old.addrHi !== msi.addrHi || old.data !== msi.data;
    if (changed && msi.mapped) xenPtMsiSetupUpdate(tx, domid, host, false);
    return;
  }
  if (rel === 0 && size === 4) {
    xenPtMsiWrite(tx, domid, host, pos + R.PCI_MSI_FLAGS, 2, value >>> 16);
    return;
  }
  if (rel !== R.PCI_MSI_FLAGS || size < 2) return;
  const val = value & 0xffff;
  if (val & R.PCI_MSI_FLAGS_ENABLE) {
    if (!st.msi.initialized) {
      ptLog(tx, st.guestBdf, 'xen_pt_msgctrl_reg_write', `setup MSI (register: ${hex(val)}).`);
      if (xenPtMsiSetupUpdate(tx, domid, host, true)) {
        // XEN_PT_WARN: the guest's Enable is dropped; MSI errors stay inside the MSI emulation.
        ptLog(
          tx,
          st.guestBdf,
          'xen_pt_msgctrl_reg_write',
          `Warning: Can not map MSI (register: ${hex(val & ~1)})!`,
        );
        return;
      }
      const msi = w(tx, wPt(tx, domid, host), 'msi');
      msi.initialized = true;
      msi.mapped = true;
    }
    const msi = w(tx, wPt(tx, domid, host), 'msi');
    msi.flags |= R.PCI_MSI_FLAGS_ENABLE;
  } else if (st.msi.mapped && hasChangeset(tx.s, 'qemu-unmap-pirqs')) {
    xenPtMsiDisable(tx, domid, host);
  } else if (st.msi.flags & R.PCI_MSI_FLAGS_ENABLE) {
    w(tx, wPt(tx, domid, host), 'msi').flags &= ~R.PCI_MSI_FLAGS_ENABLE;
  }
}

/** Config read as the guest sees it: emulated MSI/MSI-X control and MSI registers, virtual BARs. */
export function xenPtCfgRead(
  s: HostState,
  domid: number,
  dev: LinuxPciDev,
  off: number,
  size: 1 | 2 | 4,
): number {
  const host = dev.hostBdf;
  const st = ptState(s, domid, host);
  const cfg = virtualConfig(s, host, off, size);
  const put = cfg.put;
  const xpos = msixPos(s, host);
  if (st && xpos) {
    const hi =
      (hwCfgRead(s, host, xpos + 3, 1) & 0x3f) |
      (st.msixEnabled ? 0x80 : 0) |
      (st.maskall ? 0x40 : 0);
    put(xpos + 3, hi);
  }
  const mpos = msiPos(s, host);
  if (st?.msi && mpos) {
    const flags = hwCfgRead(s, host, mpos + R.PCI_MSI_FLAGS, 2);
    const is64 = (flags & R.PCI_MSI_FLAGS_64BIT) !== 0;
    const f = (flags & ~R.PCI_MSI_FLAGS_ENABLE) | (st.msi.flags & R.PCI_MSI_FLAGS_ENABLE);
    put(mpos + 2, f);
    put(mpos + 3, f >> 8);
    for (let b = 0; b < 4; b++) put(mpos + R.PCI_MSI_ADDRESS_LO + b, st.msi.addrLo >>> (8 * b));
    if (is64)
      for (let b = 0; b < 4; b++) put(mpos + R.PCI_MSI_ADDRESS_HI + b, st.msi.addrHi >>> (8 * b));
    const d = mpos + (is64 ? R.PCI_MSI_DATA_64 : R.PCI_MSI_DATA_32);
    put(d, st.msi.data);
    put(d + 1, st.msi.data >> 8);
  }
  return cfg.value();
}

/** Config write: MSI/MSI-X emulation, BARs and IDs virtual, the rest through to the device. */
export function xenPtCfgWrite(
  tx: Tx,
  domid: number,
  dev: LinuxPciDev,
  off: number,
  size: 1 | 2 | 4,
  value: number,
): void {
  const host = dev.hostBdf;
  const xpos = msixPos(tx.s, host);
  if (xpos && off <= xpos + 3 && off + size > xpos + 2) {
    const ctrl =
      size === 4 && off === xpos
        ? value >>> 16
        : off === xpos + 2
          ? value & 0xffff
          : ((value & 0xff) << 8) | (hwCfgRead(tx.s, host, xpos + 2, 1) & 0xff);
    xenPtMsixctrlRegWrite(tx, domid, host, ctrl);
    return;
  }
  const mpos = msiPos(tx.s, host);
  if (mpos && off >= mpos && off < mpos + 24) {
    xenPtMsiWrite(tx, domid, host, off, size, value);
    return;
  }
  if (off < 4) return;
  if (off >= R.PCI_BASE_ADDRESS_0 && off < R.PCI_BASE_ADDRESS_0 + 24) return;
  hwCfgWrite(tx, host, off, size, value);
}
