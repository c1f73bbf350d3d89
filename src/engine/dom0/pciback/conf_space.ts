// drivers/xen/pciback/conf_space.c + conf_space_header.c (RHEL-5, R3): the frontend's view of config space.
// Reads start from the hardware value and are overlaid by virtual fields; writes reach the hardware only
// through a field's write handler (anything unhandled is read-only unless the device is permissive).
import type { Tx } from '../../core/tx';
import * as R from '../../pci/constants';
import { pciReadConfig, pciWriteConfig, type CfgSize } from '../config-access';
import { pciDisableDevice, pciEnableDevice, pciSetMaster, pciSetMwi } from '../pci';
import { XEN_PCI_ERR_invalid_offset } from './pciback_ops';

interface Field {
  offset: number;
  size: 1 | 2 | 4;
  read: (tx: Tx, dev: string, offset: number) => number;
  write: ((tx: Tx, dev: string, offset: number, value: number) => void) | null;
}

const passRead = (size: CfgSize) => (tx: Tx, dev: string, off: number) =>
  pciReadConfig(tx, 'dom0', dev, off, size);

/** command_read(): the hardware value, plus IO/MEM for the device's resources once it is enabled. */
function commandRead(tx: Tx, dev: string, off: number): number {
  let value = pciReadConfig(tx, 'dom0', dev, off, 2);
  const d = tx.s.dom0.pci[dev];
  if (!d.isEnabled) return value;
  const res = d.resources;
  for (let i = 0; i < res.length; i++) {
    const r = res[i];
    if (!r) continue;
    if (r.flags === 'io') value |= R.PCI_COMMAND_IO;
    if (r.flags === 'mem') value |= R.PCI_COMMAND_MEMORY;
  }
  return value;
}

const isEnableCmd = (v: number): boolean => (v & (R.PCI_COMMAND_MEMORY | R.PCI_COMMAND_IO)) !== 0;

/**
 * command_write() (conf_space_header.c): a frontend write without IO|MEM on an enabled device runs dom0's
 * pci_disable_device() — which, in 2.6.18, clears dev->msix_enabled (seed 001 c.38). Then the value goes
 * to the hardware.
 */
export function commandWrite(tx: Tx, dev: string, off: number, value: number): void {
  const d = tx.s.dom0.pci[dev];
  if (!d.isEnabled && isEnableCmd(value)) {
    pciEnableDevice(tx, 'dom0', dev);
  } else if (d.isEnabled && !isEnableCmd(value)) {
    pciDisableDevice(tx, 'dom0', dev);
  }
  if (!tx.s.dom0.pci[dev].isBusmaster && value & R.PCI_COMMAND_MASTER) {
    pciSetMaster(tx, 'dom0', dev);
  }
  if (value & R.PCI_COMMAND_INVALIDATE) pciSetMwi(tx, 'dom0', dev);
  pciWriteConfig(tx, 'dom0', dev, off, 2, value);
}

/** bar_read(): the resource dom0 assigned (a VF's BAR registers read 0; pciback shows the real window). */
function barRead(tx: Tx, dev: string, off: number): number {
  const idx = (off - R.PCI_BASE_ADDRESS_0) >> 2;
  const res = tx.s.dom0.pci[dev].resources[idx];
  if (!res) return 0;
  return (res.start | (res.flags === 'io' ? R.PCI_BASE_ADDRESS_SPACE_IO : 0)) >>> 0;
}

/** bist_write(): only a pure BIST start or a write that leaves everything but START unchanged. */
function bistWrite(tx: Tx, dev: string, off: number, value: number): void {
  const cur = pciReadConfig(tx, 'dom0', dev, off, 1);
  if ((cur & ~R.PCI_BIST_START) === (value & ~R.PCI_BIST_START) || value === R.PCI_BIST_START) {
    pciWriteConfig(tx, 'dom0', dev, off, 1, value);
  }
}

const HEADER_FIELDS: Field[] = [
  { offset: R.PCI_VENDOR_ID, size: 2, read: (tx, dev) => tx.s.dom0.pci[dev].vendor, write: null },
  { offset: R.PCI_DEVICE_ID, size: 2, read: (tx, dev) => tx.s.dom0.pci[dev].device, write: null },
  { offset: R.PCI_COMMAND, size: 2, read: commandRead, write: commandWrite },
  {
    offset: R.PCI_INTERRUPT_LINE,
    size: 1,
    read: (tx, dev) => tx.s.dom0.pci[dev].irq & 0xff,
    write: null,
  },
  { offset: R.PCI_INTERRUPT_PIN, size: 1, read: passRead(1), write: null },
  {
    offset: R.PCI_CACHE_LINE_SIZE,
    size: 1,
    read: passRead(1),
    write: (tx, dev, off, v) => pciWriteConfig(tx, 'dom0', dev, off, 1, v),
  },
  { offset: R.PCI_LATENCY_TIMER, size: 1, read: passRead(1), write: null },
  { offset: R.PCI_BIST, size: 1, read: passRead(1), write: bistWrite },
  ...[0, 1, 2, 3, 4, 5].map((i): Field => ({
    offset: R.PCI_BASE_ADDRESS_0 + 4 * i,
    size: 4,
    read: barRead,
    write: () => undefined,
  })),
  { offset: 0x30, size: 4, read: () => 0, write: () => undefined },
];

const sizeMask = (size: number): number => (size === 4 ? 0xffffffff : (1 << (size * 8)) - 1);

/** merge_value() */
function mergeValue(val: number, newVal: number, mask: number, offset: number): number {
  if (offset >= 0) {
    mask = (mask << (offset * 8)) >>> 0;
    newVal = (newVal << (offset * 8)) >>> 0;
  } else {
    mask = mask >>> (-offset * 8);
    newVal = newVal >>> (-offset * 8);
  }
  return ((val & ~mask) | (newVal & mask)) >>> 0;
}

function validRequest(off: number, size: number): boolean {
  return (size === 1 || size === 2 || size === 4) && (off & (size - 1)) === 0 && off + size <= 256;
}

function overlaps(f: Field, off: number, size: number): boolean {
  const reqEnd = off + size;
  const fEnd = f.offset + f.size;
  return (off >= f.offset && off < fEnd) || (reqEnd > f.offset && reqEnd <= fEnd);
}

// The header fields a request overlaps, in list order (the walk of conf_space.c's field list), computed
// once per (offset, size) in config space: the list is static. An array indexed by offset and size is
// looked up faster than a Map.
const overlapping: (Field[] | undefined)[] = [];
function fieldsAt(off: number, size: number): Field[] {
  if (!(off >= 0 && off < 256 && Number.isInteger(off))) {
    return HEADER_FIELDS.filter((f) => overlaps(f, off, size));
  }
  const key = off * 8 + size;
  let fields = overlapping[key];
  if (fields === undefined) {
    fields = HEADER_FIELDS.filter((f) => overlaps(f, off, size));
    overlapping[key] = fields;
  }
  return fields;
}

/** pciback_config_read() */
export function pcibackConfigRead(
  tx: Tx,
  dev: string,
  off: number,
  size: CfgSize,
): { err: number; value: number } {
  if (!validRequest(off, size)) return { err: XEN_PCI_ERR_invalid_offset, value: 0 };
  return { err: 0, value: pcibackConfigReadValid(tx, dev, off, size) };
}

/** The value pciback_config_read() returns for a request validRequest() accepts (no result object). */
export function pcibackConfigReadValid(tx: Tx, dev: string, off: number, size: CfgSize): number {
  const fields = fieldsAt(off, size);
  // A field that is exactly the request overlays every bit of the hardware value (the reads are pure): the
  // config cycle would be read only to be discarded.
  const covered = fields.length === 1 && fields[0].offset === off && fields[0].size === size;
  let value = covered ? 0 : pciReadConfig(tx, 'dom0', dev, off, size);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const tmp = f.read(tx, dev, f.offset);
    value = mergeValue(value, tmp, sizeMask(f.size), f.offset - off);
  }
  return value & sizeMask(size);
}

/** validRequest() for pciback_do_op(). */
export function pcibackValidRequest(off: number, size: number): boolean {
  return validRequest(off, size);
}

/** pciback_config_write() */
export function pcibackConfigWrite(
  tx: Tx,
  dev: string,
  off: number,
  size: CfgSize,
  value: number,
): number {
  if (!validRequest(off, size)) return XEN_PCI_ERR_invalid_offset;
  let handled = false;
  const fields = fieldsAt(off, size);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    // A write that starts at the field and spans it replaces all of its bits: the merge does not depend on
    // the field's current value (whose read is pure), so it is not read. A field's own offset and size
    // always make a valid request.
    const cur =
      off === f.offset && size >= f.size ? 0 : pcibackConfigReadValid(tx, dev, f.offset, f.size);
    const merged = mergeValue(cur, value, sizeMask(size), off - f.offset) & sizeMask(f.size);
    if (f.write) f.write(tx, dev, f.offset, merged);
    handled = true;
  }
  if (!handled && tx.s.dom0.pciback.permissive.includes(dev)) {
    pciWriteConfig(tx, 'dom0', dev, off, size, value);
  }
  return 0;
}
