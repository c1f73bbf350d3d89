// pciback module load/unload (pcistub_init / pciback_init / pcistub_exit).
import { fail } from '../../core/errors';
import { own, type Tx, mPciback } from '../../core/tx';
import {
  parseHideParam,
  pcistubDeviceIdAdd,
  pcistubInitDevicesLate,
  pcistubProbe,
  pcistubRemove,
} from './pci_stub';

/**
 * modprobe pciback [hide=(...)...]: parse hide (a parse error fails the load: "pciback: Error parsing
 * pci_devs_to_hide at \"%s\""), register the driver — every unbound device that matches is seized
 * ("seizing device"), its initialisation deferred — then pcistub_init_devices_late() enables and resets them.
 */
export function pcibackModuleLoad(tx: Tx, hide: string | null): void {
  if (tx.s.dom0.pciback.loaded) fail('invalid-state', 'pciback is already loaded');
  const pb = mPciback(tx);
  if (hide !== null && hide.length > 0) {
    const parsed = parseHideParam(hide);
    if ('errorAt' in parsed) {
      fail('invalid-argument', `pciback: Error parsing pci_devs_to_hide at "${parsed.errorAt}"`);
    }
    for (const slot of parsed.slots) pcistubDeviceIdAdd(tx, slot);
  }
  pb.loaded = true;
  const deferred: string[] = [];
  for (const dev of Object.keys(tx.s.dom0.pci)) {
    if (tx.s.dom0.pci[dev].driver === null) pcistubProbe(tx, dev, deferred);
  }
  pcistubInitDevicesLate(tx, deferred);
}

/** rmmod pciback: refused while a frontend uses a device; otherwise every seized device is released. */
export function pcibackModuleUnload(tx: Tx): void {
  const pb = tx.s.dom0.pciback;
  if (!pb.loaded) fail('module-not-loaded', 'pciback is not loaded');
  const busy = pb.devices.find((d) => d.owner !== null);
  if (busy)
    fail('module-in-use', `pciback is in use: ${busy.dev} is assigned to domain ${busy.owner}`);
  for (const d of pb.devices.slice()) pcistubRemove(tx, d.dev);
  const wpb = mPciback(tx);
  wpb.loaded = false;
  wpb.slots = own(tx, []);
  wpb.devices = own(tx, []);
}
