// drivers/base + pci-driver.c: binding drivers to pci_devs, unbinding, and device_shutdown().
import { emit, type Tx } from '../core/tx';
import { igbvfProbe, igbvfRemove, igbvfShutdown } from '../guest/drivers/igbvf';
import { igbProbe } from './drivers/igb';
import { pcistubProbe, pcistubRemove } from './pciback/pci_stub';
import { kernelOf, wPciDev, type KRef } from './kernel';
import { pciDisableDevice } from './pci';
import { nvmeProbe, nvmeRemove, nvmeShutdown } from '../guest/drivers/nvme';
import { iprProbe, iprRemove, iprShutdown } from '../guest/drivers/ipr';
import { vfioPciBind, vfioPciUnbind } from '../kvm/vfio';

export interface PciDriver {
  name: string;
  probe: (tx: Tx, k: KRef, dev: string) => number;
  remove: (tx: Tx, k: KRef, dev: string) => void;
  shutdown: ((tx: Tx, k: KRef, dev: string) => void) | null;
}

/** A driver whose device behaviour is not modelled: it binds, enables the device and lets go. */
function plainDriver(name: string): PciDriver {
  return {
    name,
    probe: (tx, k, dev) => {
      wPciDev(tx, k, dev).driver = name;
      return 0;
    },
    remove: (tx, k, dev) => {
      if (kernelOf(tx.s, k).pci[dev].isEnabled) pciDisableDevice(tx, k, dev);
      wPciDev(tx, k, dev).driver = null;
    },
    shutdown: null,
  };
}

export const PCI_DRIVERS: Readonly<Record<string, PciDriver>> = {
  igbvf: { name: 'igbvf', probe: igbvfProbe, remove: igbvfRemove, shutdown: igbvfShutdown },
  igb: { ...plainDriver('igb'), probe: igbProbe },
  pciback: {
    name: 'pciback',
    probe: (tx, _k, dev) => pcistubProbe(tx, dev),
    remove: (tx, _k, dev) => pcistubRemove(tx, dev),
    shutdown: null,
  },
  pcieport: plainDriver('pcieport'),
  ixgbe: plainDriver('ixgbe'),
  ixgbevf: plainDriver('ixgbevf'),
  // Engine II: the Linux 4.9 nvme and 2014 ipr drivers (guest/drivers); in dom0 they only bind.
  nvme: { name: 'nvme', probe: nvmeProbe, remove: nvmeRemove, shutdown: nvmeShutdown },
  ipr: { name: 'ipr', probe: iprProbe, remove: iprRemove, shutdown: iprShutdown },
  qla2xxx: plainDriver('qla2xxx'),
  'vfio-pci': {
    name: 'vfio-pci',
    probe: (tx, _k, dev) => {
      vfioPciBind(tx, dev);
      return 0;
    },
    remove: (tx, _k, dev) => vfioPciUnbind(tx, dev),
    shutdown: null,
  },
};

/** driver_probe_device(): bind `driver` to an unbound device. */
export function driverProbeDevice(tx: Tx, k: KRef, dev: string, driver: string): number {
  const drv = PCI_DRIVERS[driver];
  if (!drv) return -19;
  const d = kernelOf(tx.s, k).pci[dev];
  if (d.driver !== null) return -16;
  const err = drv.probe(tx, k, dev);
  if (err) {
    if (kernelOf(tx.s, k).pci[dev]?.driver === driver && driver !== 'pciback')
      wPciDev(tx, k, dev).driver = null;
    return err;
  }
  if (driver !== 'pciback') {
    emit(tx, {
      type: 'device.assignment',
      bdf: d.hostBdf,
      action: 'driver-bound',
      driver,
      domid: k === 'dom0' ? 0 : k,
      domain: null,
    });
  }
  return 0;
}

/** device_release_driver(): the driver's remove(). */
export function deviceReleaseDriver(tx: Tx, k: KRef, dev: string): void {
  const d = kernelOf(tx.s, k).pci[dev];
  if (!d || d.driver === null) return;
  const drv = PCI_DRIVERS[d.driver];
  const name = d.driver;
  if (drv) drv.remove(tx, k, dev);
  else wPciDev(tx, k, dev).driver = null;
  if (name !== 'pciback') {
    emit(tx, {
      type: 'device.assignment',
      bdf: d.hostBdf,
      action: 'driver-unbound',
      driver: name,
      domid: k === 'dom0' ? 0 : k,
      domain: null,
    });
  }
}

/** device_shutdown(): every bound device's .shutdown, most recently added first. */
export function deviceShutdown(tx: Tx, k: KRef): void {
  const names = Object.keys(kernelOf(tx.s, k).pci).reverse();
  for (const dev of names) {
    const d = kernelOf(tx.s, k).pci[dev];
    const drv = d.driver ? PCI_DRIVERS[d.driver] : undefined;
    if (drv?.shutdown) drv.shutdown(tx, k, dev);
  }
}
