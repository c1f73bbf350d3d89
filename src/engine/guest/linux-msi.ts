// A 3.x/4.x Linux guest's PCI and MSI-X core (drivers/pci/msi.c, pci.c) with its two arch back ends
// (spec §7.2, §9): PV-on-HVM on Xen (arch/x86/pci/xen.c xen_hvm_setup_msi_irqs — before and after
// c74fd80f2f41, changeset `linux-fresh-pirq` — and drivers/xen/events __startup_pirq/xen_destroy_irq),
// and native vectors on KVM. The MSI-X table is reached through the device model (MMIO, trapped).
import type { HostState } from '../core/state';
import { own, printk, w, type Tx, wGuest } from '../core/tx';
import { hex } from '../core/format';
import * as R from '../pci/constants';
import { hasChangeset } from '../profiles/stack';
import { isKvmHost } from '../profiles/stack2';
import { pciReadConfig, pciWriteConfig } from '../dom0/config-access';
import { kernelOf, wKernel, wPciDev } from '../dom0/kernel';
import { pciFindCapability } from '../dom0/pci';
import type { LinuxIrq, LinuxPciDev } from '../dom0/types';
import { vectorFate } from '../irq/delivery';
import {
  evtchnBindPirqHvm,
  evtchnClosePirqHvm,
  physdevGetFreePirq,
  pirqEvtchn,
} from '../xen/pirq4';
import { xenPtMsixRead, xenPtMsixWrite } from '../qemu/xen_pt';
import { vfioMsixTableRead, vfioMsixTableWrite } from '../qemu/vfio';
import { kvmVectorFate } from '../kvm/fate';
import { ik } from '../core/keys';
import type { LinuxModern, MsiDesc, MsiMsg } from './types2';
import { byDomid } from '../core/domtab';
import { vectorUse } from '../xen/vectors';

/** XEN_PIRQ_MSI_DATA = TRIGGER_EDGE | LEVEL_ASSERT | (3 << DELIVERY_MODE_SHIFT) | VECTOR(0) */
export const XEN_PIRQ_MSI_DATA = 0x4300;
/** First Linux irq a modern guest hands to MSI (UNVERIFIED: depends on the guest's irq layout). */
export const FIRST_MSI_IRQ = 72;

const ENOSPC = 28;
const ENODEV = 19;
const EINVAL = 22;

export function modernOf(s: HostState, domid: number): LinuxModern | undefined {
  return byDomid(s.guests, domid)?.linux;
}

export function wModern(tx: Tx, domid: number): LinuxModern {
  const g = wGuest(tx, domid);
  if (!g.linux)
    g.linux = own(tx, {
      msi: own(tx, {}),
      nvme: own(tx, {}),
      ipr: own(tx, {}),
      nextNvme: 0,
      nextScsiHost: 0,
    });
  return w(tx, g, 'linux');
}

function guestPrintk(tx: Tx, domid: number, text: string): void {
  printk(tx, `guest:${domid}`, text, byDomid(tx.s.guests, domid)?.domain);
}

/** dev_info()/dev_dbg() in the guest: "<driver> <pci_name>: <text>". */
export function devInfo(tx: Tx, domid: number, dev: string, text: string): void {
  const d = kernelOf(tx.s, domid).pci[dev];
  guestPrintk(tx, domid, `${d?.driver ?? 'pci'} ${dev}: ${text}`);
}

/** The guest runs as PV-on-HVM on Xen (XENFEAT_hvm_pirqs): MSIs become pirqs and event channels. */
export function isPvHvm(s: HostState, domid: number): boolean {
  return !isKvmHost(s) && byDomid(s.qemu, domid)?.kind === 'qemu-xen';
}

function hostOf(s: HostState, domid: number, dev: string): string {
  return kernelOf(s, domid).pci[dev]?.hostBdf ?? '';
}

/** writel() to a dword of an MSI-X entry: trapped by the device model (and, for bound entries, Xen). */
export function guestMsixMmioWrite(
  tx: Tx,
  domid: number,
  dev: string,
  entry: number,
  offset: number,
  val: number,
): void {
  const host = hostOf(tx.s, domid, dev);
  const kind = byDomid(tx.s.qemu, domid)?.kind;
  if (kind === 'qemu-xen') xenPtMsixWrite(tx, domid, host, entry, offset, val);
  else if (kind === 'qemu-kvm') vfioMsixTableWrite(tx, domid, host, entry, offset, val);
}

export function guestMsixMmioRead(
  s: HostState,
  domid: number,
  dev: string,
  entry: number,
  offset: number,
): number {
  const host = hostOf(s, domid, dev);
  const kind = byDomid(s.qemu, domid)?.kind;
  if (kind === 'qemu-xen') return xenPtMsixRead(s, domid, host, entry, offset);
  if (kind === 'qemu-kvm') return vfioMsixTableRead(s, domid, host, entry, offset);
  return 0xffffffff;
}

function writeMsg(tx: Tx, domid: number, dev: string, entry: number, m: MsiMsg): void {
  guestMsixMmioWrite(tx, domid, dev, entry, R.PCI_MSIX_ENTRY_LOWER_ADDR, m.addrLo);
  guestMsixMmioWrite(tx, domid, dev, entry, R.PCI_MSIX_ENTRY_UPPER_ADDR, m.addrHi);
  guestMsixMmioWrite(tx, domid, dev, entry, R.PCI_MSIX_ENTRY_DATA, m.data);
}

/** pci_enable_device_mem() → pci_enable_resources(): "enabling device (%04x -> %04x)". */
export function pciEnableDeviceModern(tx: Tx, domid: number, dev: string): number {
  const d = kernelOf(tx.s, domid).pci[dev];
  if (d.isEnabled) return 0;
  const old = pciReadConfig(tx, domid, dev, R.PCI_COMMAND, 2);
  let cmd = old;
  for (const r of d.resources) if (r && r.flags === 'mem') cmd |= R.PCI_COMMAND_MEMORY;
  if (cmd !== old) {
    devInfo(tx, domid, dev, `enabling device (${hex(old, 4)} -> ${hex(cmd, 4)})`);
    pciWriteConfig(tx, domid, dev, R.PCI_COMMAND, 2, cmd);
  }
  wPciDev(tx, domid, dev).isEnabled = true;
  return 0;
}

/** pci_set_master() (PCI Express: no latency timer to program). */
export function pciSetMasterModern(tx: Tx, domid: number, dev: string): void {
  const cmd = pciReadConfig(tx, domid, dev, R.PCI_COMMAND, 2);
  if (!(cmd & R.PCI_COMMAND_MASTER))
    pciWriteConfig(tx, domid, dev, R.PCI_COMMAND, 2, cmd | R.PCI_COMMAND_MASTER);
  wPciDev(tx, domid, dev).isBusmaster = true;
}

/** do_pci_disable_device() + pci_disable_device(): bus master off, the device disabled. */
export function pciDisableDeviceModern(tx: Tx, domid: number, dev: string): void {
  const d = kernelOf(tx.s, domid).pci[dev];
  if (!d?.isEnabled) return;
  const cmd = pciReadConfig(tx, domid, dev, R.PCI_COMMAND, 2);
  if (cmd & R.PCI_COMMAND_MASTER)
    pciWriteConfig(tx, domid, dev, R.PCI_COMMAND, 2, cmd & ~R.PCI_COMMAND_MASTER);
  const p = wPciDev(tx, domid, dev);
  p.isBusmaster = false;
  p.isEnabled = false;
}

function msixCtrl(tx: Tx, domid: number, dev: string, clear: number, set: number): void {
  const pos = pciFindCapability(tx, domid, dev, R.PCI_CAP_ID_MSIX);
  if (!pos) return;
  const ctrl = pciReadConfig(tx, domid, dev, pos + R.PCI_MSIX_FLAGS, 2);
  pciWriteConfig(tx, domid, dev, pos + R.PCI_MSIX_FLAGS, 2, (ctrl & ~clear) | set);
}

function newIrq(tx: Tx, domid: number, rec: Omit<LinuxIrq, 'irq'>): number {
  const kern = wKernel(tx, domid);
  if (kern.nextIrq < FIRST_MSI_IRQ) kern.nextIrq = FIRST_MSI_IRQ;
  const irq = kern.nextIrq++;
  w(tx, kern, 'irqs')[ik(irq)] = own(tx, { irq, ...rec });
  return irq;
}

/** xen_irq_from_pirq(): any IRQT_PIRQ irq of the guest, whatever device it belongs to (R14). */
export function xenIrqFromPirq(s: HostState, domid: number, pirq: number): number {
  const irqs = kernelOf(s, domid).irqs;
  for (const k of Object.keys(irqs)) {
    const r = irqs[k];
    if (r.kind === 'pirq' && r.pirq === pirq) return r.irq;
  }
  return -1;
}

/** xen_msi_compose_msg(): vector 0, the pirq in the destination id fields. */
export function xenMsiComposeMsg(pirq: number): MsiMsg {
  return {
    addrHi: (pirq & 0xffffff00) >>> 0,
    addrLo: (R.MSI_ADDR_BASE_LO | ((pirq & 0xff) << R.MSI_ADDR_DEST_ID_SHIFT)) >>> 0,
    data: XEN_PIRQ_MSI_DATA,
  };
}

/**
 * xen_hvm_setup_msi_irqs(): for each entry, before c74fd80 read the message back and, if it is a pirq
 * message whose pirq some guest irq still has (xen_irq_from_pirq() across all devices), reuse it without
 * writing anything ("xen: msi already bound to pirq=%d"); otherwise PHYSDEVOP_get_free_pirq, compose and
 * write ("xen: msi bound to pirq=%d"). Then xen_bind_pirq_msi_to_irq().
 */
function xenHvmSetupMsiIrqs(tx: Tx, domid: number, dev: string, descs: MsiDesc[]): number {
  const fresh = hasChangeset(tx.s, 'linux-fresh-pirq');
  for (const d of descs) {
    let pirq: number;
    let msg: MsiMsg;
    const cur: MsiMsg = {
      addrLo: guestMsixMmioRead(tx.s, domid, dev, d.entry, R.PCI_MSIX_ENTRY_LOWER_ADDR),
      addrHi: guestMsixMmioRead(tx.s, domid, dev, d.entry, R.PCI_MSIX_ENTRY_UPPER_ADDR),
      data: guestMsixMmioRead(tx.s, domid, dev, d.entry, R.PCI_MSIX_ENTRY_DATA),
    };
    const cached = (cur.addrHi & 0xffffff00) | ((cur.addrLo >>> R.MSI_ADDR_DEST_ID_SHIFT) & 0xff);
    if (!fresh && cur.data === XEN_PIRQ_MSI_DATA && xenIrqFromPirq(tx.s, domid, cached) >= 0) {
      pirq = cached;
      msg = cur;
      devInfo(tx, domid, dev, `xen: msi already bound to pirq=${pirq}`);
    } else {
      pirq = physdevGetFreePirq(tx, domid);
      if (pirq < 0) {
        devInfo(tx, domid, dev, `Failed to create MSI-X! ret=${-ENODEV}!`);
        return -ENODEV;
      }
      msg = xenMsiComposeMsg(pirq);
      writeMsg(tx, domid, dev, d.entry, msg);
      devInfo(tx, domid, dev, `xen: msi bound to pirq=${pirq}`);
    }
    // xen_bind_pirq_msi_to_irq(): a new irq with irq_info{pirq} (no check that another irq has it).
    const irq = newIrq(tx, domid, {
      kind: 'pirq',
      pirq,
      evtchn: 0,
      action: null,
      dev,
      entry: d.entry,
    });
    d.irq = irq;
    d.pirq = pirq;
    d.msg = msg;
    devInfo(tx, domid, dev, `xen: msi --> pirq=${pirq} --> irq=${irq}`);
  }
  return 0;
}

/** native_setup_msi_irqs(): a vector per entry, the message composed for it and written. */
function nativeSetupMsiIrqs(tx: Tx, domid: number, dev: string, descs: MsiDesc[]): number {
  for (const d of descs) {
    const irq = newIrq(tx, domid, {
      kind: 'msi',
      pirq: null,
      evtchn: 0,
      action: null,
      dev,
      entry: d.entry,
    });
    const msg: MsiMsg = {
      addrLo: R.MSI_ADDR_BASE_LO,
      addrHi: 0,
      data: R.MSI_DATA_LEVEL_ASSERT | (irq & 0xff),
    };
    writeMsg(tx, domid, dev, d.entry, msg);
    d.irq = irq;
    d.msg = msg;
  }
  return 0;
}

/**
 * pci_alloc_irq_vectors(dev, min, max, PCI_IRQ_MSIX) → msix_capability_init() (4.9): MSI-X off while set
 * up, the arch assigns irqs and messages, Enable|MaskAll, every entry masked, MaskAll cleared.
 * Returns the number of vectors or -errno.
 */
export function pciAllocIrqVectors(
  tx: Tx,
  domid: number,
  dev: string,
  min: number,
  max: number,
): number {
  const pos = pciFindCapability(tx, domid, dev, R.PCI_CAP_ID_MSIX);
  if (!pos) return -EINVAL;
  const pd: LinuxPciDev = kernelOf(tx.s, domid).pci[dev];
  if (pd.msixEnabled) return -EINVAL;
  const control = pciReadConfig(tx, domid, dev, pos + R.PCI_MSIX_FLAGS, 2);
  const size = (control & R.PCI_MSIX_FLAGS_QSIZE) + 1;
  const nvec = Math.min(max, size);
  if (nvec < min) return -ENOSPC;
  msixCtrl(tx, domid, dev, R.PCI_MSIX_FLAGS_ENABLE, 0);
  const descs: MsiDesc[] = [];
  for (let i = 0; i < nvec; i++)
    descs.push({ entry: i, irq: 0, pirq: null, msg: { addrLo: 0, addrHi: 0, data: 0 }, masked: 0 });
  const rc = isPvHvm(tx.s, domid)
    ? xenHvmSetupMsiIrqs(tx, domid, dev, descs)
    : nativeSetupMsiIrqs(tx, domid, dev, descs);
  if (rc) {
    for (const d of descs) if (d.irq) delete w(tx, wKernel(tx, domid), 'irqs')[ik(d.irq)];
    return rc;
  }
  msixCtrl(tx, domid, dev, 0, R.PCI_MSIX_FLAGS_MASKALL | R.PCI_MSIX_FLAGS_ENABLE);
  // msix_program_entries(): remember the vector control, mask every entry.
  for (const d of descs) {
    d.masked =
      guestMsixMmioRead(tx.s, domid, dev, d.entry, R.PCI_MSIX_ENTRY_VECTOR_CTRL) |
      R.PCI_MSIX_ENTRY_CTRL_MASKBIT;
    guestMsixMmioWrite(tx, domid, dev, d.entry, R.PCI_MSIX_ENTRY_VECTOR_CTRL, d.masked);
  }
  wPciDev(tx, domid, dev).msixEnabled = true;
  w(tx, wModern(tx, domid), 'msi')[dev] = own(tx, descs);
  msixCtrl(tx, domid, dev, R.PCI_MSIX_FLAGS_MASKALL, 0);
  return nvec;
}

/**
 * pci_free_irq_vectors() → pci_disable_msix(): every entry masked, MSI-X Enable cleared (the device model
 * sees the disable), the irqs torn down (xen_destroy_irq: no hypercall in an HVM guest; the table keeps
 * the old messages).
 */
export function pciFreeIrqVectors(tx: Tx, domid: number, dev: string): void {
  const descs = modernOf(tx.s, domid)?.msi[dev];
  const pd = kernelOf(tx.s, domid).pci[dev];
  if (!descs || !pd?.msixEnabled) return;
  for (const d of descs) {
    if (kernelOf(tx.s, domid).irqs[ik(d.irq)]?.action) freeIrqModern(tx, domid, dev, d.entry);
    guestMsixMmioWrite(
      tx,
      domid,
      dev,
      d.entry,
      R.PCI_MSIX_ENTRY_VECTOR_CTRL,
      d.masked | R.PCI_MSIX_ENTRY_CTRL_MASKBIT,
    );
  }
  msixCtrl(tx, domid, dev, R.PCI_MSIX_FLAGS_ENABLE, 0);
  wPciDev(tx, domid, dev).msixEnabled = false;
  const irqs = w(tx, wKernel(tx, domid), 'irqs');
  for (const d of descs) delete irqs[ik(d.irq)];
  delete w(tx, wModern(tx, domid), 'msi')[dev];
}

/** pci_irq_vector(dev, nr) */
export function pciIrqVector(s: HostState, domid: number, dev: string, nr: number): number {
  return modernOf(s, domid)?.msi[dev]?.[nr]?.irq ?? -EINVAL;
}

function wDesc(tx: Tx, domid: number, dev: string, nr: number): MsiDesc {
  return w(tx, w(tx, w(tx, wModern(tx, domid), 'msi'), dev), nr);
}

/**
 * request_irq(pci_irq_vector(dev, nr)): PV-on-HVM irqs start up with EVTCHNOP_bind_pirq — on failure
 * "Failed to obtain physical IRQ %d" and request_irq still returns 0; native vectors unmask the entry.
 */
export function requestIrqModern(
  tx: Tx,
  domid: number,
  dev: string,
  nr: number,
  name: string,
): number {
  const d = modernOf(tx.s, domid)?.msi[dev]?.[nr];
  if (!d) return -EINVAL;
  const cur = kernelOf(tx.s, domid).irqs[ik(d.irq)];
  if (!cur) return -EINVAL;
  if (cur.action !== null) return -16;
  const rec = w(tx, w(tx, wKernel(tx, domid), 'irqs'), ik(d.irq));
  rec.action = name;
  if (cur.kind === 'pirq' && d.pirq !== null) {
    const port = evtchnBindPirqHvm(tx, domid, d.pirq);
    if (port < 0) {
      // drivers/xen/events/events_base.c: pr_fmt "xen:" KBUILD_MODNAME ": " (module "events").
      guestPrintk(tx, domid, `xen:events: Failed to obtain physical IRQ ${d.irq}`);
      return 0;
    }
    w(tx, w(tx, wKernel(tx, domid), 'irqs'), ik(d.irq)).evtchn = port;
    return 0;
  }
  wDesc(tx, domid, dev, nr).masked = d.masked & ~R.PCI_MSIX_ENTRY_CTRL_MASKBIT;
  guestMsixMmioWrite(
    tx,
    domid,
    dev,
    d.entry,
    R.PCI_MSIX_ENTRY_VECTOR_CTRL,
    d.masked & ~R.PCI_MSIX_ENTRY_CTRL_MASKBIT,
  );
  return 0;
}

/** free_irq(): the event channel closed (PV-on-HVM) or the entry masked (native). */
export function freeIrqModern(tx: Tx, domid: number, dev: string, nr: number): void {
  const d = modernOf(tx.s, domid)?.msi[dev]?.[nr];
  if (!d) return;
  const cur = kernelOf(tx.s, domid).irqs[ik(d.irq)];
  if (!cur || cur.action === null) return;
  const rec = w(tx, w(tx, wKernel(tx, domid), 'irqs'), ik(d.irq));
  rec.action = null;
  if (cur.kind === 'pirq') {
    if (cur.evtchn !== 0 && d.pirq !== null) evtchnClosePirqHvm(tx, domid, d.pirq);
    rec.evtchn = 0;
    return;
  }
  wDesc(tx, domid, dev, nr).masked = d.masked | R.PCI_MSIX_ENTRY_CTRL_MASKBIT;
  guestMsixMmioWrite(
    tx,
    domid,
    dev,
    d.entry,
    R.PCI_MSIX_ENTRY_VECTOR_CTRL,
    d.masked | R.PCI_MSIX_ENTRY_CTRL_MASKBIT,
  );
}

/**
 * Does an interrupt the device raises on vector `nr` reach the handler of that vector's irq? Xen: the
 * delivery path (table → vector → pirq → bind) and the pirq's event channel being this irq's; KVM: the
 * same through vfio and the irqfd route.
 */
export function irqDelivers(s: HostState, domid: number, dev: string, nr: number): boolean {
  const d = modernOf(s, domid)?.msi[dev]?.[nr];
  const host = hostOf(s, domid, dev);
  if (!d || !host) return false;
  const irq = kernelOf(s, domid).irqs[ik(d.irq)];
  if (!irq || irq.action === null) return false;
  if (isKvmHost(s)) return kvmVectorFate(s, domid, host, d.entry) === 'delivered';
  if (vectorFate(s, domid, host, d.entry) !== 'delivered') return false;
  if (irq.kind !== 'pirq') return true;
  const use = byDomid(s.xen.domains, domid)?.pirqs;
  if (!use) return false;
  // The event channel the hypervisor signals for the pirq that the device's entry reaches.
  const fn = s.hw.fns[host];
  const vec = fn.table[d.entry * 4 + 2] & 0xff;
  const cpu = (fn.table[d.entry * 4] >>> R.MSI_ADDR_DEST_ID_SHIFT) & 0xff;
  const owner = vectorUse(s, cpu, vec);
  if (!owner) return false;
  return irq.evtchn !== 0 && pirqEvtchn(s, domid, owner.pirq) === irq.evtchn;
}

/** pci_save_state(): the header dwords (MSI-X state lives in the msi_descs). */
export function pciSaveStateModern(tx: Tx, domid: number, dev: string): void {
  const saved: number[] = [];
  for (let i = 0; i < 16; i++) saved.push(pciReadConfig(tx, domid, dev, i * 4, 4));
  wPciDev(tx, domid, dev).savedState = saved;
}

/**
 * pci_restore_state(): the header dwords that differ are written back (15 → 0), then
 * __pci_restore_msix_state(): Enable|MaskAll, every cached message rewritten, every cached mask
 * rewritten, MaskAll cleared (R31).
 */
export function pciRestoreStateModern(tx: Tx, domid: number, dev: string): void {
  const pd = kernelOf(tx.s, domid).pci[dev];
  const saved = pd.savedState;
  if (saved) {
    for (let i = 15; i >= 0; i--) {
      if (pciReadConfig(tx, domid, dev, i * 4, 4) !== saved[i])
        pciWriteConfig(tx, domid, dev, i * 4, 4, saved[i]);
    }
  }
  const descs = modernOf(tx.s, domid)?.msi[dev];
  if (!pd.msixEnabled || !descs) return;
  msixCtrl(tx, domid, dev, 0, R.PCI_MSIX_FLAGS_ENABLE | R.PCI_MSIX_FLAGS_MASKALL);
  for (const d of descs) writeMsg(tx, domid, dev, d.entry, d.msg);
  for (const d of descs)
    guestMsixMmioWrite(tx, domid, dev, d.entry, R.PCI_MSIX_ENTRY_VECTOR_CTRL, d.masked);
  msixCtrl(tx, domid, dev, R.PCI_MSIX_FLAGS_MASKALL, 0);
}

/**
 * A vector a workload can drive in this guest: a modern driver's vector with a handler (its pirq when
 * PV-on-HVM), or a test vector (guest.msix.enable). undefined: not active.
 */
export function activeVector(
  s: HostState,
  g: {
    pci: Record<string, LinuxPciDev>;
    irqs: Record<string, LinuxIrq>;
    msixTest: Record<string, { entry: number; vector: number }[]>;
    linux?: LinuxModern;
    kind: 'pv' | 'hvm';
  },
  hostBdf: string,
  entry: number,
): number | null | undefined {
  for (const dev in g.pci) {
    if (g.pci[dev].hostBdf !== hostBdf) continue;
    // An IOA in BIST or offline raises nothing; an NVMe controller completes admin commands while it
    // resets and I/O once live; a dead one nothing.
    const ipr = g.linux?.ipr[dev];
    if (ipr && ipr.state !== 'operational') return undefined;
    const nvme = g.linux?.nvme[dev];
    if (nvme && nvme.state !== 'live' && nvme.state !== 'resetting') return undefined;
    const d = g.linux?.msi[dev]?.find((x) => x.entry === entry);
    if (d && g.irqs[ik(d.irq)]?.action) return d.pirq;
    const t = g.msixTest[dev]?.find((x) => x.entry === entry);
    if (t) return g.kind === 'pv' ? t.vector : null;
  }
  return undefined;
}
