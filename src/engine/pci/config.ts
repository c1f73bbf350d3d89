// Config space as bytes (stored as dwords) with per-byte write masks derived from the device model.
import * as R from './constants';
import { deviceModel, type BarSpec, type DeviceModel } from './catalog';

/** 4 KiB for PCI Express functions with extended capabilities; the rest store 256 bytes (reads above are 0). */
export function configBytes(model: DeviceModel): number {
  return model.pcie && (model.sriov || model.ari) ? 4096 : 256;
}

/** Raw read of 1, 2 or 4 bytes (little endian) from a dword array; no side effects. */
export function rawRead(cfg: readonly number[], off: number, size: 1 | 2 | 4): number {
  const shift = (off & 3) * 8;
  const dw = cfg[off >> 2] >>> 0;
  if (size === 4) return dw;
  if (shift + size * 8 > 32) {
    // unaligned access straddling dwords: assemble byte by byte
    let v = 0;
    for (let i = 0; i < size; i++) v |= rawRead(cfg, off + i, 1) << (8 * i);
    return v >>> 0;
  }
  return (dw >>> shift) & (size === 1 ? 0xff : 0xffff);
}

/** Raw write, bypassing write masks (device-internal state changes, firmware). Mutates `cfg`. */
export function rawWrite(cfg: number[], off: number, size: 1 | 2 | 4, value: number): void {
  for (let i = 0; i < size; i++) {
    const byteOff = off + i;
    const shift = (byteOff & 3) * 8;
    const idx = byteOff >> 2;
    const b = (value >>> (8 * i)) & 0xff;
    cfg[idx] = ((cfg[idx] & ~(0xff << shift)) | (b << shift)) >>> 0;
  }
}

/** Write through the write mask: read-only bits keep their value. Mutates `cfg`. */
export function maskedWrite(
  cfg: number[],
  wmask: readonly number[],
  off: number,
  size: 1 | 2 | 4,
  value: number,
): void {
  for (let i = 0; i < size; i++) {
    const byteOff = off + i;
    const m = wmask[byteOff] ?? 0;
    if (m === 0) continue;
    const shift = (byteOff & 3) * 8;
    const idx = byteOff >> 2;
    const old = (cfg[idx] >>> shift) & 0xff;
    const b = (value >>> (8 * i)) & 0xff;
    const nb = (old & ~m) | (b & m);
    cfg[idx] = ((cfg[idx] & ~(0xff << shift)) | (nb << shift)) >>> 0;
  }
}

interface Layout {
  init: number[];
  wmask: number[];
}

const layouts = new Map<string, Layout>();

/** Power-on config image of a model (dwords). */
export function initialConfig(modelId: string): number[] {
  return layout(modelId).init.slice();
}

/** Per-byte write masks of a model's config space. */
export function configWmask(modelId: string): readonly number[] {
  return layout(modelId).wmask;
}

let lastLayoutId = '';
let lastLayout: Layout | undefined;

function layout(modelId: string): Layout {
  if (modelId === lastLayoutId && lastLayout !== undefined) return lastLayout;
  let l = layouts.get(modelId);
  if (!l) {
    l = buildLayout(deviceModel(modelId));
    layouts.set(modelId, l);
  }
  lastLayoutId = modelId;
  lastLayout = l;
  return l;
}

function setMask(wmask: number[], off: number, size: number, mask: number): void {
  for (let i = 0; i < size; i++) wmask[off + i] = (mask >>> (8 * i)) & 0xff;
}

function barTypeBits(b: BarSpec): number {
  if (b.kind === 'io') return R.PCI_BASE_ADDRESS_SPACE_IO;
  return (
    (b.kind === 'mem64' ? R.PCI_BASE_ADDRESS_MEM_TYPE_64 : 0) |
    (b.prefetch ? R.PCI_BASE_ADDRESS_MEM_PREFETCH : 0)
  );
}

function barMask(b: BarSpec): number {
  const low = b.kind === 'io' ? 0x3 : 0xf;
  return (~(b.size - 1) & ~low) >>> 0;
}

function buildLayout(m: DeviceModel): Layout {
  const bytes = configBytes(m);
  const cfg = new Array<number>(bytes / 4).fill(0);
  const wmask = new Array<number>(bytes).fill(0);
  const vendor = m.isVf ? 0xffff : m.vendor;
  const device = m.isVf ? 0xffff : m.device;
  rawWrite(cfg, R.PCI_VENDOR_ID, 2, vendor);
  rawWrite(cfg, R.PCI_DEVICE_ID, 2, device);
  rawWrite(cfg, R.PCI_REVISION_ID, 1, m.revision);
  rawWrite(cfg, R.PCI_CLASS_PROG, 1, m.classCode & 0xff);
  rawWrite(cfg, 0x0a, 2, m.classCode >>> 8);
  rawWrite(cfg, R.PCI_HEADER_TYPE, 1, m.headerType | (m.multifunction ? 0x80 : 0));
  rawWrite(cfg, R.PCI_BIST, 1, m.bist ? R.PCI_BIST_CAPABLE : 0);
  rawWrite(cfg, R.PCI_INTERRUPT_PIN, 1, m.interruptPin);

  // PCI_COMMAND: a VF implements only Bus Master (SR-IOV spec: IO/MEM enable, INTx disable are RO 0;
  // VF memory decode is the PF's VF MSE bit).
  const cmdMask = m.isVf
    ? R.PCI_COMMAND_MASTER
    : R.PCI_COMMAND_IO |
      R.PCI_COMMAND_MEMORY |
      R.PCI_COMMAND_MASTER |
      R.PCI_COMMAND_INVALIDATE |
      R.PCI_COMMAND_PARITY |
      R.PCI_COMMAND_SERR |
      R.PCI_COMMAND_INTX_DISABLE;
  setMask(wmask, R.PCI_COMMAND, 2, cmdMask);
  setMask(wmask, R.PCI_CACHE_LINE_SIZE, 1, 0xff);
  // Latency Timer does not apply to PCI Express: hardwired to 0 (so pcibios_set_master always reprograms it).
  if (!m.pcie) setMask(wmask, R.PCI_LATENCY_TIMER, 1, 0xff);
  if (m.bist) setMask(wmask, R.PCI_BIST, 1, R.PCI_BIST_START);
  if (!m.isVf) setMask(wmask, R.PCI_INTERRUPT_LINE, 1, 0xff);

  if (m.headerType === 0) {
    rawWrite(cfg, R.PCI_SUBSYSTEM_VENDOR_ID, 2, m.subVendor);
    rawWrite(cfg, R.PCI_SUBSYSTEM_ID, 2, m.subDevice);
    for (const b of m.bars) {
      const off = R.PCI_BASE_ADDRESS_0 + 4 * b.index;
      rawWrite(cfg, off, 4, barTypeBits(b));
      setMask(wmask, off, 4, barMask(b));
      if (b.kind === 'mem64') setMask(wmask, off + 4, 4, 0xffffffff);
    }
  } else {
    setMask(wmask, R.PCI_PRIMARY_BUS, 4, 0xffffffff); // primary, secondary, subordinate, sec latency
    setMask(wmask, 0x1c, 2, 0xf0f0); // I/O base/limit
    setMask(wmask, 0x20, 4, 0xfff0fff0); // memory base/limit
    setMask(wmask, 0x24, 4, 0xfff0fff0); // prefetchable base/limit
    setMask(wmask, R.PCI_BRIDGE_CONTROL, 2, 0x0fff);
  }

  // Capability list, linked in offset order.
  const caps: { off: number; id: number }[] = [];
  if (m.pm) caps.push({ off: m.pm.offset, id: R.PCI_CAP_ID_PM });
  if (m.msi) caps.push({ off: m.msi.offset, id: R.PCI_CAP_ID_MSI });
  if (m.msix) caps.push({ off: m.msix.offset, id: R.PCI_CAP_ID_MSIX });
  if (m.pcie) caps.push({ off: m.pcie.offset, id: R.PCI_CAP_ID_EXP });
  caps.sort((a, b) => a.off - b.off);
  if (caps.length > 0) {
    rawWrite(cfg, R.PCI_STATUS, 2, R.PCI_STATUS_CAP_LIST);
    rawWrite(cfg, R.PCI_CAPABILITY_LIST, 1, caps[0].off);
  }
  caps.forEach((c, i) => {
    rawWrite(cfg, c.off, 1, c.id);
    rawWrite(cfg, c.off + 1, 1, i + 1 < caps.length ? caps[i + 1].off : 0);
  });
  if (m.pm) {
    rawWrite(cfg, m.pm.offset + 2, 2, 0x0003);
    setMask(wmask, m.pm.offset + R.PCI_PM_CTRL, 2, 0x0103);
  }
  if (m.msi) {
    const o = m.msi.offset;
    const flags =
      (m.msi.is64 ? R.PCI_MSI_FLAGS_64BIT : 0) |
      (m.msi.maskable ? R.PCI_MSI_FLAGS_MASKBIT : 0) |
      ((m.msi.mmc << 1) & R.PCI_MSI_FLAGS_QMASK);
    rawWrite(cfg, o + R.PCI_MSI_FLAGS, 2, flags);
    setMask(wmask, o + R.PCI_MSI_FLAGS, 2, R.PCI_MSI_FLAGS_ENABLE | R.PCI_MSI_FLAGS_QSIZE);
    setMask(wmask, o + R.PCI_MSI_ADDRESS_LO, 4, 0xfffffffc);
    if (m.msi.is64) {
      setMask(wmask, o + R.PCI_MSI_ADDRESS_HI, 4, 0xffffffff);
      setMask(wmask, o + R.PCI_MSI_DATA_64, 2, 0xffff);
      if (m.msi.maskable) setMask(wmask, o + R.PCI_MSI_MASK_64, 4, 0xffffffff);
    } else {
      setMask(wmask, o + R.PCI_MSI_DATA_32, 2, 0xffff);
    }
  }
  if (m.msix) {
    const o = m.msix.offset;
    rawWrite(cfg, o + R.PCI_MSIX_FLAGS, 2, (m.msix.entries - 1) & R.PCI_MSIX_FLAGS_QSIZE);
    rawWrite(cfg, o + R.PCI_MSIX_TABLE, 4, m.msix.tableOffset | m.msix.bir);
    rawWrite(cfg, o + R.PCI_MSIX_PBA, 4, m.msix.pbaOffset | m.msix.pbaBir);
    setMask(wmask, o + R.PCI_MSIX_FLAGS, 2, R.PCI_MSIX_FLAGS_ENABLE | R.PCI_MSIX_FLAGS_MASKALL);
  }
  if (m.pcie) {
    const o = m.pcie.offset;
    rawWrite(cfg, o + R.PCI_EXP_FLAGS, 2, 0x0002 | (m.pcie.portType << 4));
    rawWrite(cfg, o + R.PCI_EXP_DEVCAP, 4, m.pcie.flr ? R.PCI_EXP_DEVCAP_FLR : 0);
    setMask(wmask, o + R.PCI_EXP_DEVCTL, 2, m.pcie.flr ? 0xffff : 0x7fff);
  }

  // Extended capabilities: AER at 0x100 heads the list when the device has any.
  const ext: { off: number; id: number; ver: number }[] = [];
  if (m.ari) ext.push({ off: m.ari.offset, id: R.PCI_EXT_CAP_ID_ARI, ver: 1 });
  if (m.sriov) ext.push({ off: m.sriov.offset, id: R.PCI_EXT_CAP_ID_SRIOV, ver: 1 });
  if (ext.length > 0) ext.unshift({ off: 0x100, id: 0x0001, ver: 1 });
  ext.sort((a, b) => a.off - b.off);
  ext.forEach((c, i) => {
    const next = i + 1 < ext.length ? ext[i + 1].off : 0;
    rawWrite(cfg, c.off, 4, (c.id | (c.ver << 16) | (next << 20)) >>> 0);
  });
  if (m.sriov) {
    const o = m.sriov.offset;
    rawWrite(cfg, o + R.PCI_SRIOV_INITIAL_VF, 2, m.sriov.initialVfs);
    rawWrite(cfg, o + R.PCI_SRIOV_TOTAL_VF, 2, m.sriov.totalVfs);
    rawWrite(cfg, o + R.PCI_SRIOV_VF_OFFSET, 2, m.sriov.vfOffsetNonAri);
    rawWrite(cfg, o + R.PCI_SRIOV_VF_STRIDE, 2, m.sriov.vfStride);
    rawWrite(cfg, o + R.PCI_SRIOV_VF_DID, 2, m.sriov.vfDeviceId);
    rawWrite(cfg, o + R.PCI_SRIOV_SUP_PGSIZE, 4, 0x553);
    rawWrite(cfg, o + R.PCI_SRIOV_SYS_PGSIZE, 4, 0x1);
    setMask(
      wmask,
      o + R.PCI_SRIOV_CTRL,
      2,
      R.PCI_SRIOV_CTRL_VFE |
        R.PCI_SRIOV_CTRL_VFM |
        R.PCI_SRIOV_CTRL_INTR |
        R.PCI_SRIOV_CTRL_MSE |
        R.PCI_SRIOV_CTRL_ARI,
    );
    setMask(wmask, o + R.PCI_SRIOV_NUM_VF, 2, 0xffff);
    setMask(wmask, o + R.PCI_SRIOV_SYS_PGSIZE, 4, 0xffffffff);
    for (const b of m.sriov.vfBars) {
      const off = o + R.PCI_SRIOV_BAR + 4 * b.index;
      rawWrite(cfg, off, 4, barTypeBits(b));
      setMask(wmask, off, 4, barMask(b));
      if (b.kind === 'mem64') setMask(wmask, off + 4, 4, 0xffffffff);
    }
  }
  return { init: cfg, wmask };
}

/** pci_find_capability() over raw config space (for device-internal use; kernels walk via their own accessors). */
export function findCapRaw(cfg: readonly number[], capId: number): number {
  if (!(rawRead(cfg, R.PCI_STATUS, 2) & R.PCI_STATUS_CAP_LIST)) return 0;
  let pos = rawRead(cfg, R.PCI_CAPABILITY_LIST, 1) & ~3;
  for (let ttl = 48; pos >= 0x40 && ttl > 0; ttl--) {
    if (rawRead(cfg, pos, 1) === capId) return pos;
    pos = rawRead(cfg, pos + 1, 1) & ~3;
  }
  return 0;
}

const capOffsets = new Map<string, number[]>();
// The model asked for last (a driver walks one device's capabilities at a time).
let lastCapModel: string | undefined;
let lastCapOffsets: number[] = [];

/**
 * findCapRaw() memoised per device model. A capability list lives in read-only registers (Status, the
 * Capabilities Pointer, each capability's ID and Next byte) that no configuration write or reset changes, so
 * every function of a model has the same list and the walk is done once per model and capability.
 */
export function capabilityOffset(model: string, cfg: readonly number[], capId: number): number {
  let byId: number[] | undefined;
  if (model === lastCapModel) byId = lastCapOffsets;
  else {
    byId = capOffsets.get(model);
    if (byId === undefined) capOffsets.set(model, (byId = []));
    lastCapModel = model;
    lastCapOffsets = byId;
  }
  let pos = byId[capId];
  if (pos === undefined) byId[capId] = pos = findCapRaw(cfg, capId);
  return pos;
}
