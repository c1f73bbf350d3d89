// drivers/xen/pciback/pci_stub.c (RHEL-5, R4): seizing devices (hide= / new_slot + bind), handing them to
// frontends and taking them back — every release goes through pciback_reset_device().
import type { HostState } from '../../core/state';
import { emit, own, ownedFrom, sliceArray, w, type Tx, mPciback } from '../../core/tx';
import { copyStubDevice } from '../../core/copy';
import { bdfOf, devfnOf, splitBdf } from '../../core/format';
import { upstreamBridge } from '../../pci/hw';
import { ENODEV } from '../../xen/errno';
import { kprintk, wPciDev } from '../kernel';
import { pciEnableDevice } from '../pci';
import { pcibackResetDevice } from './pciback_ops';
import type { PcistubDevice, PcistubSlot } from '../types';

/** str_to_slot(): sscanf(" %x:%x:%x.%x") or, without a domain, sscanf(" %x:%x.%x"). */
export function strToSlot(buf: string): PcistubSlot | null {
  const hexN = '([0-9a-fA-F]+)';
  let m = new RegExp(`^\\s*${hexN}:${hexN}:${hexN}\\.${hexN}`).exec(buf);
  if (m) {
    return {
      seg: parseInt(m[1], 16) & 0xffff,
      bus: parseInt(m[2], 16) & 0xff,
      devfn: devfnOf(parseInt(m[3], 16), parseInt(m[4], 16)),
    };
  }
  m = new RegExp(`^\\s*${hexN}:${hexN}\\.${hexN}`).exec(buf);
  if (m) {
    return {
      seg: 0,
      bus: parseInt(m[1], 16) & 0xff,
      devfn: devfnOf(parseInt(m[2], 16), parseInt(m[3], 16)),
    };
  }
  return null;
}

/**
 * pcistub_init()'s parsing of the `hide` parameter: a sequence of " (%x:%x:%x.%x) " or " (%x:%x.%x) ".
 * Returns the slots, or the rest of the string at the parse error.
 */
export function parseHideParam(param: string): { slots: PcistubSlot[] } | { errorAt: string } {
  const slots: PcistubSlot[] = [];
  let pos = 0;
  const hexN = '([0-9a-fA-F]+)';
  const full = new RegExp(`^\\s*\\(${hexN}:${hexN}:${hexN}\\.${hexN}\\)\\s*`);
  const short = new RegExp(`^\\s*\\(${hexN}:${hexN}\\.${hexN}\\)\\s*`);
  while (pos < param.length) {
    const rest = param.slice(pos);
    let m = full.exec(rest);
    if (m) {
      slots.push({
        seg: parseInt(m[1], 16) & 0xffff,
        bus: parseInt(m[2], 16) & 0xff,
        devfn: devfnOf(parseInt(m[3], 16), parseInt(m[4], 16)),
      });
    } else {
      m = short.exec(rest);
      if (!m) return { errorAt: rest };
      slots.push({
        seg: 0,
        bus: parseInt(m[1], 16) & 0xff,
        devfn: devfnOf(parseInt(m[2], 16), parseInt(m[3], 16)),
      });
    }
    pos += m[0].length;
  }
  return { slots };
}

function slotMatches(slot: PcistubSlot, bdf: string): boolean {
  return bdfOf(slot.seg, slot.bus, slot.devfn) === bdf;
}

/** pcistub_match(): the device or one of its parent bridges is in the id list. */
export function pcistubMatch(s: HostState, dev: string): boolean {
  const ids = s.dom0.pciback.slots;
  let fn = s.hw.fns[dev];
  let cur = dev;
  for (let depth = 0; depth < 32; depth++) {
    if (ids.some((id) => slotMatches(id, cur))) return true;
    if (!fn) return false;
    const up = upstreamBridge(s, fn);
    if (!up || up.bdf === cur) return false;
    fn = up;
    cur = up.bdf;
  }
  return false;
}

export function pcistubFind(s: HostState, dev: string): PcistubDevice | undefined {
  const devices = s.dom0.pciback.devices;
  for (let i = 0; i < devices.length; i++) if (devices[i].dev === dev) return devices[i];
  return undefined;
}

function wStubDevice(tx: Tx, dev: string): PcistubDevice {
  const pb = mPciback(tx);
  const base = tx.base.dom0.pciback.devices;
  const devices = (pb.devices = ownedFrom(tx, pb.devices, base, sliceArray));
  let i = 0;
  while (i < devices.length && devices[i].dev !== dev) i++;
  if (i === devices.length) i = -1;
  const b = i >= 0 && i < base.length ? base[i] : undefined;
  return (devices[i] = ownedFrom(tx, devices[i], b, copyStubDevice));
}

/** pcistub_init_device(): enable the device (fixes up its resources), then reset it for export. */
function pcistubInitDevice(tx: Tx, dev: string): number {
  const err = pciEnableDevice(tx, 'dom0', dev);
  if (err) return err;
  pcibackResetDevice(tx, dev);
  return 0;
}

/**
 * pcistub_probe() → pcistub_seize(): "pciback <bdf>: seizing device", then initialise it now (or defer
 * while the module is still loading: `deferred` collects those for pcistub_init_devices_late()).
 */
export function pcistubProbe(tx: Tx, dev: string, deferred?: string[]): number {
  if (!pcistubMatch(tx.s, dev)) return -ENODEV;
  const d = tx.s.dom0.pci[dev];
  if (d.hdrType !== 0 && d.hdrType !== 1) {
    kprintk(
      tx,
      'dom0',
      `pciback ${dev}: can't export pci devices that don't have a normal (0) or bridge (1) header type!`,
    );
    return -ENODEV;
  }
  wPciDev(tx, 'dom0', dev).driver = 'pciback';
  kprintk(tx, 'dom0', `pciback ${dev}: seizing device`);
  if (deferred) {
    deferred.push(dev);
  } else {
    const err = pcistubInitDevice(tx, dev);
    if (err) {
      wPciDev(tx, 'dom0', dev).driver = null;
      return err;
    }
    const devices = w(tx, mPciback(tx), 'devices');
    devices.unshift(own(tx, { dev, owner: null })); // list_add(): at the head
  }
  emit(tx, {
    type: 'device.assignment',
    bdf: dev,
    action: 'seized',
    driver: 'pciback',
    domid: null,
    domain: null,
  });
  return 0;
}

/** pcistub_init_devices_late(): initialise the devices seized while loading, in seize order. */
export function pcistubInitDevicesLate(tx: Tx, deferred: string[]): void {
  for (const dev of deferred) {
    const err = pcistubInitDevice(tx, dev);
    if (err) {
      kprintk(tx, 'dom0', `pciback ${dev}: error ${err} initializing device`);
      wPciDev(tx, 'dom0', dev).driver = null;
      continue;
    }
    const devices = w(tx, mPciback(tx), 'devices');
    devices.push(own(tx, { dev, owner: null })); // list_add_tail()
  }
}

/** pcistub_device_id_add() (new_slot, hide=). */
export function pcistubDeviceIdAdd(tx: Tx, slot: PcistubSlot): void {
  w(tx, mPciback(tx), 'slots').push(slot);
}

/** pcistub_device_id_remove() (remove_slot): every matching id; -ENOENT if none. */
export function pcistubDeviceIdRemove(tx: Tx, slot: PcistubSlot): boolean {
  const bdf = bdfOf(slot.seg, slot.bus, slot.devfn);
  const cur = tx.s.dom0.pciback.slots;
  if (!cur.some((id) => slotMatches(id, bdf))) return false;
  const pb = mPciback(tx);
  pb.slots = own(
    tx,
    cur.filter((id) => !slotMatches(id, bdf)),
  );
  return true;
}

/** pcistub_get_pci_dev_by_slot(): claim a seized device for a frontend; null if absent or already in use. */
export function pcistubGetPciDevBySlot(tx: Tx, domid: number, dev: string): string | null {
  const psdev = pcistubFind(tx.s, dev);
  if (!psdev || psdev.owner !== null) return null;
  wStubDevice(tx, dev).owner = domid;
  return dev;
}

/**
 * pcistub_put_pci_dev(): clean the device up "so it's ready for the next domain" — pciback_reset_device()
 * runs while psdev->pdev still names the old frontend (so msi_get_dev_owner() still answers its domid).
 */
export function pcistubPutPciDev(tx: Tx, dev: string): void {
  const psdev = pcistubFind(tx.s, dev);
  if (!psdev) return;
  pcibackResetDevice(tx, dev);
  const domid = psdev.owner;
  wStubDevice(tx, dev).owner = null;
  emit(tx, {
    type: 'device.assignment',
    bdf: dev,
    action: 'released',
    driver: 'pciback',
    domid,
    domain: null,
  });
}

/** pcistub_remove() (unbind from pciback) → pcistub_device_put() → release → pciback_reset_device(). */
export function pcistubRemove(tx: Tx, dev: string): void {
  const psdev = pcistubFind(tx.s, dev);
  if (psdev) {
    const pb = mPciback(tx);
    pb.devices = own(
      tx,
      tx.s.dom0.pciback.devices.filter((d) => d.dev !== dev),
    );
    pcibackResetDevice(tx, dev);
  }
  wPciDev(tx, 'dom0', dev).driver = null;
  emit(tx, {
    type: 'device.assignment',
    bdf: dev,
    action: 'driver-unbound',
    driver: 'pciback',
    domid: null,
    domain: null,
  });
}

/** pciback's get_owner callback for msi-xen: the frontend's domid, or -1. */
export function pcibackGetOwner(s: HostState, dev: string): number {
  const psdev = pcistubFind(s, dev);
  if (!psdev || psdev.owner === null) return -1;
  return psdev.owner;
}

export function slotOf(bdf: string): PcistubSlot {
  const a = splitBdf(bdf);
  return { seg: a.seg, bus: a.bus, devfn: a.devfn };
}
