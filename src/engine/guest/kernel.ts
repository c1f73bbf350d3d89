// A RHEL-5 guest kernel's life: boot (pcifront or emulated bus, drivers, network service), the controlled
// shutdown path (network stop, device_shutdown), ifup/ifdown, modprobe/rmmod and ACPI PCI hotplug.
import { own, owned, w, type Tx } from '../core/tx';
import { bdfOf } from '../core/format';
import { printk } from '../core/tx';
import { modelOf } from '../pci/hw';
import { deviceReleaseDriver, deviceShutdown, driverProbeDevice } from '../dom0/driver-core';
import { kernelOf, wKernel } from '../dom0/kernel';
import { copyNetdev, copyRecord } from '../core/copy';
import type { LinuxPciDev, NetDev } from '../dom0/types';
import { vectorFate } from '../irq/delivery';
import type { GuestState } from './types';
import { igbvfClose, igbvfOpen } from './drivers/igbvf';
import { guestSource } from '../core/keys';
import { runWork } from './workqueue';
import { byDomid } from '../core/domtab';

export function newGuestState(domid: number, domain: string, kind: 'pv' | 'hvm'): GuestState {
  // A PV guest's eth0 is its netfront vif (an HVM guest's, its emulated NIC): passthrough NICs start at eth1.
  return {
    pci: {},
    msiDevHead: [],
    irqs: {},
    igbvf: {},
    netdevs: {},
    modules: {},
    msixTest: {},
    nextNetdev: 1,
    nextIrq: 0,
    domid,
    domain,
    kind,
    workloads: { ping: {}, irq: {} },
  };
}

/**
 * A new guest kernel, owned by the transaction that boots it with the tables its boot fills in (all built
 * fresh by newGuestState), so filling them copies nothing.
 */
export function ownNewGuestState(tx: Tx, g: GuestState): GuestState {
  own(tx, g.pci);
  own(tx, g.msiDevHead);
  own(tx, g.irqs);
  own(tx, g.igbvf);
  own(tx, g.netdevs);
  own(tx, g.modules);
  return own(tx, g);
}

function guestPrintk(tx: Tx, domid: number, text: string): void {
  printk(tx, guestSource(domid), text, byDomid(tx.s.guests, domid)?.domain);
}

/** The guest's pci_dev for a host device: IDs and resources as the backend presents them. */
function addGuestPciDev(tx: Tx, domid: number, name: string, hostBdf: string): void {
  const hd = tx.s.dom0.pci[hostBdf];
  const dev: LinuxPciDev = {
    name,
    hostBdf,
    vendor: hd.vendor,
    device: hd.device,
    classCode: hd.classCode,
    hdrType: hd.hdrType,
    irq: 0,
    isEnabled: false,
    isBusmaster: false,
    msiEnabled: false,
    msixEnabled: false,
    resources: hd.resources.map((r) =>
      r ? { start: r.start, size: r.size, flags: r.flags } : null,
    ),
    driver: null,
    isVirtfn: false,
    physfn: null,
    savedState: null,
  };
  const kern = wKernel(tx, domid);
  (kern.pci = owned(tx, kern.pci, copyRecord))[name] = own(tx, dev);
}

function guestDriverFor(tx: Tx, hostBdf: string): string | null {
  const fn = tx.s.hw.fns[hostBdf];
  return fn ? modelOf(fn).guestDriver : null;
}

/** Probe the device with its driver if the module is (or gets auto-)loaded. */
function guestProbe(tx: Tx, domid: number, name: string): void {
  const drv = guestDriverFor(tx, kernelOf(tx.s, domid).pci[name].hostBdf);
  if (drv === 'nvme' || drv === 'ipr') {
    // Engine II drivers (udev loads them): nvme queues reset_work, ipr brings the IOA up.
    w(tx, wKernel(tx, domid), 'modules')[drv] = true;
    driverProbeDevice(tx, domid, name, drv);
    return;
  }
  if (!drv || drv !== 'igbvf') return;
  if (kernelOf(tx.s, domid).modules.igbvf === false) return;
  const kern = wKernel(tx, domid);
  (kern.modules = owned(tx, kern.modules, copyRecord)).igbvf = true;
  driverProbeDevice(tx, domid, name, drv);
}

/**
 * Boot the guest kernel: pcifront enumerates the backend's virtual slots (PV) or the device model's slots
 * (HVM), udev loads the drivers, then the network service brings up the interfaces marked onboot.
 */
export function guestBoot(
  tx: Tx,
  domid: number,
  modules: readonly string[],
  onboot: readonly string[],
): void {
  const g = byDomid(tx.s.guests, domid) as GuestState;
  const kern = wKernel(tx, domid);
  const mods = (kern.modules = owned(tx, kern.modules, copyRecord));
  for (let i = 0; i < modules.length; i++) mods[modules[i]] = true;
  if (g.kind === 'pv') {
    const be = byDomid(tx.s.dom0.pciback.backends, domid);
    if (be) {
      const slots = be.slots;
      for (let slot = 0; slot < slots.length; slot++) {
        const host = slots[slot];
        if (host !== null && host !== undefined)
          addGuestPciDev(tx, domid, bdfOf(0, 0, slot << 3), host);
      }
    }
  } else {
    const qd = byDomid(tx.s.qemu, domid)?.devices ?? {};
    for (const host of Object.keys(qd).sort((a, b) => (qd[a].guestBdf < qd[b].guestBdf ? -1 : 1))) {
      addGuestPciDev(tx, domid, qd[host].guestBdf, host);
    }
  }
  for (const name of Object.keys(kernelOf(tx.s, domid).pci)) guestProbe(tx, domid, name);
  runWork(tx); // Engine II: the work the probes queued runs, interleaved by the scheduler
  for (const ifname of Object.keys(kernelOf(tx.s, domid).netdevs)) {
    const kern = kernelOf(tx.s, domid);
    const host = kern.pci[kern.netdevs[ifname].dev].hostBdf;
    if (onboot.includes(host)) guestIfup(tx, domid, ifname);
  }
}

/** Controlled shutdown: the network service stops the interfaces, then device_shutdown(). */
export function guestShutdown(tx: Tx, domid: number): void {
  // ifdown only replaces records (or copies the table): the walk sees the keys it started with.
  for (const ifname in kernelOf(tx.s, domid).netdevs) {
    if (kernelOf(tx.s, domid).netdevs[ifname].up) guestIfdown(tx, domid, ifname);
  }
  deviceShutdown(tx, domid);
}

/**
 * ifup (BOOTPROTO=dhcp): "Determining IP information for eth1..." — dhclient opens the device
 * (igbvf_open → request_irq ×3) — then " done." if the DHCP exchange's tx and rx interrupts reach the guest,
 * " failed." otherwise (printed as its own line after whatever the kernel printed meanwhile).
 */
export function guestIfup(tx: Tx, domid: number, ifname: string): void {
  const nd = kernelOf(tx.s, domid).netdevs[ifname];
  guestPrintk(tx, domid, `Determining IP information for ${ifname}...`);
  const err = igbvfOpen(tx, domid, nd.dev);
  const host = kernelOf(tx.s, domid).pci[nd.dev].hostBdf;
  const pf = tx.s.hw.fns[host]?.physfn;
  const link = !pf || tx.s.dom0.pci[pf]?.driver === 'igb';
  const ok =
    !err &&
    link &&
    vectorFate(tx.s, domid, host, 0) === 'delivered' &&
    vectorFate(tx.s, domid, host, 1) === 'delivered';
  guestPrintk(tx, domid, ok ? ' done.' : ' failed.');
  const rec = wNetdev(tx, domid, ifname);
  rec.up = !err;
  rec.configured = ok;
}

/** A guest's network interface, copy-on-write. */
function wNetdev(tx: Tx, domid: number, ifname: string): NetDev {
  const kern = wKernel(tx, domid);
  const netdevs = (kern.netdevs = owned(tx, kern.netdevs, copyRecord));
  return (netdevs[ifname] = owned(tx, netdevs[ifname], copyNetdev));
}

/** ifdown: close the interface (igbvf_close → free_irq ×3). */
export function guestIfdown(tx: Tx, domid: number, ifname: string): void {
  const nd = kernelOf(tx.s, domid).netdevs[ifname];
  igbvfClose(tx, domid, nd.dev);
  const rec = wNetdev(tx, domid, ifname);
  rec.up = false;
  rec.configured = false;
}

/** modprobe <module> in the guest: igbvf binds every unbound VF; acpiphp enables PCI hotplug. */
export function guestModprobe(tx: Tx, domid: number, module: string): void {
  w(tx, wKernel(tx, domid), 'modules')[module] = true;
  if (module !== 'igbvf') return;
  for (const name of Object.keys(kernelOf(tx.s, domid).pci)) {
    const d = kernelOf(tx.s, domid).pci[name];
    if (d.driver === null && guestDriverFor(tx, d.hostBdf) === 'igbvf')
      driverProbeDevice(tx, domid, name, 'igbvf');
  }
}

/** rmmod <module>: igbvf_remove() for every bound device (the workaround of seed 001 c.8). */
export function guestRmmod(tx: Tx, domid: number, module: string): void {
  if (module === 'igbvf') {
    for (const name of Object.keys(kernelOf(tx.s, domid).pci)) {
      if (kernelOf(tx.s, domid).pci[name].driver === 'igbvf') deviceReleaseDriver(tx, domid, name);
    }
  }
  w(tx, wKernel(tx, domid), 'modules')[module] = false;
}

/** ACPI hotplug (acpiphp): a device the device model inserted appears and is probed — only if acpiphp is loaded. */
export function guestHotplugAdd(tx: Tx, domid: number, hostBdf: string, guestBdf: string): void {
  if (!kernelOf(tx.s, domid).modules.acpiphp) return;
  addGuestPciDev(tx, domid, guestBdf, hostBdf);
  guestProbe(tx, domid, guestBdf);
}

/** ACPI eject: the driver lets go and the device disappears from the guest. */
export function guestHotplugRemove(tx: Tx, domid: number, hostBdf: string): void {
  const k = kernelOf(tx.s, domid);
  const name = Object.keys(k.pci).find((n) => k.pci[n].hostBdf === hostBdf);
  if (name === undefined) return;
  deviceReleaseDriver(tx, domid, name);
  delete w(tx, wKernel(tx, domid), 'pci')[name];
}
