// dom0 boot: kernel command line and modprobe.conf, PCI scan, host drivers (igb creates the VFs, udev then
// loads igbvf for them), and pciback when the command line asks for it.
import { w, type Tx, mDom0 } from '../core/tx';
import { modelOf } from '../pci/hw';
import { driverProbeDevice } from './driver-core';
import { pcibackModuleLoad } from './pciback/module';
import { pciScanDevices } from './probe';
import { pvopsPciScan } from './pvops-pci';
import { isKvmHost, isPvopsDom0 } from '../profiles/stack2';
import type { Dom0State } from './types';

export function parseModprobeConf(lines: readonly string[]): {
  options: Record<string, string>;
  blacklist: string[];
} {
  const options: Record<string, string> = {};
  const blacklist: string[] = [];
  for (const raw of lines) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [verb, mod, ...rest] = line.split(/\s+/);
    if (verb === 'options' && mod)
      options[mod] = [options[mod], rest.join(' ')].filter(Boolean).join(' ');
    if (verb === 'blacklist' && mod) blacklist.push(mod);
  }
  return { options, blacklist };
}

/** `pciback.hide=(...)` on the dom0 command line (pciback built in / loaded from the initrd). */
export function cmdlineParam(cmdline: string, key: string): string | null {
  for (const tok of cmdline.split(/\s+/)) {
    if (tok.startsWith(`${key}=`)) return tok.slice(key.length + 1);
  }
  return null;
}

export function newDom0State(cmdline: string, modprobe: readonly string[]): Dom0State {
  const conf = parseModprobeConf(modprobe);
  return {
    pci: {},
    msiDevHead: [],
    irqs: {},
    igbvf: {},
    netdevs: {},
    modules: {},
    msixTest: {},
    nextNetdev: 0,
    nextIrq: 0,
    cmdline,
    moduleOptions: conf.options,
    blacklist: conf.blacklist,
    pciback: { loaded: false, slots: [], devices: [], backends: [], permissive: [] },
    vfMacs: {},
  };
}

export function dom0Boot(tx: Tx): void {
  const dom0 = mDom0(tx);
  // A pvops dom0 reports devices to Xen from the scan, renumbering with pci=assign-busses (Engine II).
  if (isPvopsDom0(tx.s) && !isKvmHost(tx.s)) pvopsPciScan(tx);
  else pciScanDevices(tx);
  const blacklisted = (m: string): boolean => dom0.blacklist.includes(m);
  // Built-in and early drivers bind the functions found at boot (igb enables SR-IOV here).
  for (const dev of Object.keys(tx.s.dom0.pci)) {
    const fn = tx.s.hw.fns[dev];
    const drv = modelOf(fn).hostDriver;
    if (drv && !blacklisted(drv) && tx.s.dom0.pci[dev].driver === null)
      driverProbeDevice(tx, 'dom0', dev, drv);
  }
  // udev then loads the drivers of the hot-added VFs.
  for (const dev of Object.keys(tx.s.dom0.pci)) {
    const fn = tx.s.hw.fns[dev];
    if (fn.physfn === null) continue;
    const drv = modelOf(fn).hostDriver;
    if (drv && !blacklisted(drv) && tx.s.dom0.pci[dev].driver === null) {
      w(tx, mDom0(tx), 'modules')[drv] = true;
      driverProbeDevice(tx, 'dom0', dev, drv);
    }
  }
  const hide = cmdlineParam(tx.s.dom0.cmdline, 'pciback.hide');
  if (hide !== null) {
    w(tx, mDom0(tx), 'modules').pciback = true;
    pcibackModuleLoad(tx, hide);
  }
}
