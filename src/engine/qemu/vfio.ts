// QEMU's MSI-X emulation for vfio-pci (hw/pci/msix.c + hw/misc/vfio.c, 2014; spec §8.2, R25, R27): the
// guest writes an emulated table; only a change of a vector's *masked state* reaches vfio (use/release
// notifiers → VFIO_DEVICE_SET_IRQS). Rewriting the same message — what pci_restore_state() does after a
// backdoor reset — changes nothing QEMU can see. Seed 004.
import type { HostState } from '../core/state';
import { own, w, type Tx, mQemu, wQemu } from '../core/tx';
import { bdfOf } from '../core/format';
import * as R from '../pci/constants';
import { findCapRaw } from '../pci/config';
import { hwCfgRead, hwCfgWrite, modelOf } from '../pci/hw';
import type { LinuxPciDev } from '../dom0/types';
import { virtualConfig } from './virtual-config';
import { vfioOpen, vfioRelease, vfioSetIrqsMsix } from '../kvm/vfio';
import type { VfioMsixVector, VfioPciState } from './types';
import { byDomid, ofDomid, putByDomid } from '../core/domtab';

function st(s: HostState, vm: number, host: string): VfioPciState | undefined {
  return byDomid(s.qemu, vm)?.vfio?.[host];
}

function wSt(tx: Tx, vm: number, host: string): VfioPciState {
  return w(tx, w(tx, wQemu(tx, vm), 'vfio'), host);
}

function wVec(tx: Tx, vm: number, host: string, nr: number): VfioMsixVector {
  return w(tx, w(tx, wSt(tx, vm, host), 'vectors'), nr);
}

/** A QEMU/KVM process for a VM. */
export function vfioQemuCreate(tx: Tx, vm: number): void {
  putByDomid(
    mQemu(tx),
    own(tx, {
      domid: vm,
      devices: own(tx, {}),
      kind: 'qemu-kvm',
      vfio: own(tx, {}),
    }),
  );
}

/** -device vfio-pci,host=BDF: open the device, emulate its MSI-X table (every vector masked). */
export function vfioRealize(tx: Tx, vm: number, hostBdf: string): string {
  vfioOpen(tx, vm, hostBdf);
  const q = ofDomid(tx.s.qemu, vm);
  const used = new Set(Object.values(q.devices).map((d) => d.guestBdf));
  let slot = 5;
  while (used.has(bdfOf(0, 0, slot << 3))) slot++;
  const guestBdf = bdfOf(0, 0, slot << 3);
  const fn = tx.s.hw.fns[hostBdf];
  const n = fn && modelOf(fn).msix ? (modelOf(fn).msix?.entries ?? 0) : 0;
  const vectors: VfioMsixVector[] = [];
  for (let i = 0; i < n; i++) {
    vectors.push({
      addrLo: 0,
      addrHi: 0,
      data: 0,
      vectorCtrl: R.PCI_MSIX_ENTRY_CTRL_MASKBIT,
      use: false,
      virq: -1,
    });
  }
  const qw = wQemu(tx, vm);
  w(tx, qw, 'devices')[hostBdf] = own(tx, {
    hostBdf,
    guestBdf,
    msixEnabled: false,
    entries: own(tx, []),
  });
  w(tx, qw, 'vfio')[hostBdf] = own(tx, {
    hostBdf,
    guestBdf,
    msixEnabled: false,
    maskall: false,
    nrVectors: 0,
    vectors: own(tx, vectors),
  });
  return guestBdf;
}

/** vfio_exitfn(): interrupts off, the device closed. */
export function vfioUnrealize(tx: Tx, vm: number, hostBdf: string): void {
  const s0 = st(tx.s, vm, hostBdf);
  if (!s0) return;
  if (s0.msixEnabled) vfioDisableMsix(tx, vm, hostBdf);
  vfioRelease(tx, hostBdf);
  const qw = wQemu(tx, vm);
  delete w(tx, qw, 'vfio')[hostBdf];
  delete w(tx, qw, 'devices')[hostBdf];
}

/** msix_is_masked(): function masked (MSI-X off or MaskAll) or the entry's mask bit. */
function isMasked(v: VfioPciState, nr: number): boolean {
  return (
    !v.msixEnabled || v.maskall || (v.vectors[nr].vectorCtrl & R.PCI_MSIX_ENTRY_CTRL_MASKBIT) !== 0
  );
}

function newEventfd(tx: Tx): number {
  const kvm = w(tx, tx.s, 'kvm');
  return kvm.nextEventfd++;
}

/**
 * vfio_msix_vector_use() (vfio_msix_vector_do_use): route the vector's current message through a KVM
 * irqfd; grow the host's vectors (disable + enable all) or set just this one's eventfd.
 */
function vectorUse(tx: Tx, vm: number, host: string, nr: number): void {
  const v = st(tx.s, vm, host);
  if (!v) return;
  const vec = wVec(tx, vm, host, nr);
  vec.use = true;
  vec.virq = vec.data & 0xff; // kvm_irqchip_add_msi_route(msg): the guest vector it delivers
  if (v.nrVectors < nr + 1) {
    vfioSetIrqsMsix(tx, host, 0, null); // vfio_disable_irqindex()
    wSt(tx, vm, host).nrVectors = nr + 1;
    const fds: number[] = [];
    for (let i = 0; i <= nr; i++)
      fds.push(st(tx.s, vm, host)?.vectors[i].use ? newEventfd(tx) : -1);
    vfioSetIrqsMsix(tx, host, 0, fds); // vfio_enable_vectors(vdev, true)
  } else {
    vfioSetIrqsMsix(tx, host, nr, [newEventfd(tx)]);
  }
}

/** vfio_msix_vector_release(): SET_IRQS with fd -1 for the vector; the irqfd route goes. */
function vectorRelease(tx: Tx, vm: number, host: string, nr: number): void {
  if (!st(tx.s, vm, host)?.vectors[nr]?.use) return;
  vfioSetIrqsMsix(tx, host, nr, [-1]);
  const vec = wVec(tx, vm, host, nr);
  vec.use = false;
  vec.virq = -1;
}

/** msix_handle_mask_update(): only a change of the masked state fires a notifier. */
function handleMaskUpdate(tx: Tx, vm: number, host: string, nr: number, wasMasked: boolean): void {
  const v = st(tx.s, vm, host);
  if (!v) return;
  const isM = isMasked(v, nr);
  if (isM === wasMasked) return;
  if (!v.msixEnabled) return; // notifiers are set only while vfio has MSI-X (vfio_enable_msix)
  if (isM) vectorRelease(tx, vm, host, nr);
  else vectorUse(tx, vm, host, nr);
}

/** msix_table_mmio_write(): store the dword, then the mask-change check. */
export function vfioMsixTableWrite(
  tx: Tx,
  vm: number,
  host: string,
  nr: number,
  offset: number,
  val: number,
): void {
  const v = st(tx.s, vm, host);
  if (!v || nr >= v.vectors.length) return;
  const was = isMasked(v, nr);
  const vec = wVec(tx, vm, host, nr);
  const x = val >>> 0;
  if (offset === R.PCI_MSIX_ENTRY_LOWER_ADDR) vec.addrLo = x;
  else if (offset === R.PCI_MSIX_ENTRY_UPPER_ADDR) vec.addrHi = x;
  else if (offset === R.PCI_MSIX_ENTRY_DATA) vec.data = x;
  else vec.vectorCtrl = x;
  handleMaskUpdate(tx, vm, host, nr, was);
}

export function vfioMsixTableRead(
  s: HostState,
  vm: number,
  host: string,
  nr: number,
  offset: number,
): number {
  const vec = st(s, vm, host)?.vectors[nr];
  if (!vec) return 0xffffffff;
  if (offset === R.PCI_MSIX_ENTRY_LOWER_ADDR) return vec.addrLo;
  if (offset === R.PCI_MSIX_ENTRY_UPPER_ADDR) return vec.addrHi;
  if (offset === R.PCI_MSIX_ENTRY_DATA) return vec.data;
  return vec.vectorCtrl;
}

/**
 * vfio_enable_msix(): enable vector 0 with a trigger and release it at once (the physical device goes to
 * MSI-X mode with no vector enabled, like the guest's view), then set the notifiers, which use every
 * vector that is not masked.
 */
function vfioEnableMsix(tx: Tx, vm: number, host: string): void {
  vfioSetIrqsMsix(tx, host, 0, null);
  wSt(tx, vm, host).nrVectors = 0;
  const v = st(tx.s, vm, host);
  if (!v || v.vectors.length === 0) return;
  // vfio_msix_vector_do_use(pdev, 0, NULL, NULL) + vfio_msix_vector_release(pdev, 0)
  wSt(tx, vm, host).nrVectors = 1;
  vfioSetIrqsMsix(tx, host, 0, [newEventfd(tx)]);
  vfioSetIrqsMsix(tx, host, 0, [-1]);
  // msix_set_vector_notifiers(): use each vector that is unmasked now.
  const cur = st(tx.s, vm, host);
  if (!cur) return;
  for (let i = 0; i < cur.vectors.length; i++) if (!isMasked(cur, i)) vectorUse(tx, vm, host, i);
}

/** vfio_disable_msix(): release every used vector, disable the host's MSI-X index. */
function vfioDisableMsix(tx: Tx, vm: number, host: string): void {
  const v = st(tx.s, vm, host);
  if (!v) return;
  for (let i = 0; i < v.vectors.length; i++) {
    if (v.vectors[i].use) {
      const vec = wVec(tx, vm, host, i);
      vec.use = false;
      vec.virq = -1;
    }
  }
  vfioSetIrqsMsix(tx, host, 0, null);
  wSt(tx, vm, host).nrVectors = 0;
}

function msixPos(s: HostState, host: string): number {
  const fn = s.hw.fns[host];
  return fn ? findCapRaw(fn.cfg, R.PCI_CAP_ID_MSIX) : 0;
}

/**
 * vfio_pci_write_config(): a write covering MSI-X Message Control goes through pci_default_write_config()
 * (emulated Enable/MaskAll; msix_write_config() runs the per-vector mask check when the function mask
 * changes) and then vfio enables or disables MSI-X on the host; other registers reach the device.
 */
export function vfioCfgWrite(
  tx: Tx,
  vm: number,
  dev: LinuxPciDev,
  off: number,
  size: 1 | 2 | 4,
  value: number,
): void {
  const host = dev.hostBdf;
  const pos = msixPos(tx.s, host);
  const v = st(tx.s, vm, host);
  if (v && pos && off <= pos + 3 && off + size > pos + 2) {
    const ctrl =
      size === 4 && off === pos
        ? value >>> 16
        : off === pos + 2
          ? value & 0xffff
          : ((value & 0xff) << 8) | (hwCfgRead(tx.s, host, pos + 2, 1) & 0xff);
    const wasEnabled = v.msixEnabled;
    const wasMasked = v.vectors.map((_, i) => isMasked(v, i));
    const ws = wSt(tx, vm, host);
    ws.msixEnabled = (ctrl & R.PCI_MSIX_FLAGS_ENABLE) !== 0;
    ws.maskall = (ctrl & R.PCI_MSIX_FLAGS_MASKALL) !== 0;
    if (wasEnabled && ws.msixEnabled) {
      for (let i = 0; i < v.vectors.length; i++) handleMaskUpdate(tx, vm, host, i, wasMasked[i]);
    }
    if (!wasEnabled && ws.msixEnabled) vfioEnableMsix(tx, vm, host);
    else if (wasEnabled && !ws.msixEnabled) vfioDisableMsix(tx, vm, host);
    w(tx, w(tx, wQemu(tx, vm), 'devices'), host).msixEnabled = ws.msixEnabled;
    return;
  }
  if (off < 4) return;
  if (off >= R.PCI_BASE_ADDRESS_0 && off < R.PCI_BASE_ADDRESS_0 + 24) return;
  hwCfgWrite(tx, host, off, size, value);
}

/** vfio_pci_read_config(): the device, with QEMU's emulated MSI-X Enable/MaskAll and virtual BARs/IDs. */
export function vfioCfgRead(
  s: HostState,
  vm: number,
  dev: LinuxPciDev,
  off: number,
  size: 1 | 2 | 4,
): number {
  const host = dev.hostBdf;
  const cfg = virtualConfig(s, host, off, size);
  const v = st(s, vm, host);
  const pos = msixPos(s, host);
  if (v && pos) {
    const hi =
      (hwCfgRead(s, host, pos + 3, 1) & 0x3f) | (v.msixEnabled ? 0x80 : 0) | (v.maskall ? 0x40 : 0);
    cfg.put(pos + 3, hi);
  }
  return cfg.value();
}
