// drivers/net/igb (dom0 PF driver): enable the PF and, with `options igb max_vfs=N`, create N VFs.
// The PF's own interrupts and link are not modelled; a bound PF means VF links are up.
import type { Tx } from '../../core/tx';
import { modelOf } from '../../pci/hw';
import { wKernel, wPciDev, type KRef } from '../kernel';
import { pciEnableDeviceMem, pciSetMaster } from '../pci';
import { pciEnableSriov } from '../probe';

export function moduleParam(options: string | undefined, name: string): string | null {
  if (!options) return null;
  for (const tok of options.split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0 && tok.slice(0, eq) === name) return tok.slice(eq + 1);
  }
  return null;
}

/** igb_probe() */
export function igbProbe(tx: Tx, k: KRef, dev: string): number {
  const err = pciEnableDeviceMem(tx, k, dev);
  if (err) return err;
  wPciDev(tx, k, dev).driver = 'igb';
  pciSetMaster(tx, k, dev);
  wKernel(tx, k).nextNetdev++;
  if (k !== 'dom0') return 0;
  const fn = tx.s.hw.fns[tx.s.dom0.pci[dev].hostBdf];
  const maxVfs = parseInt(moduleParam(tx.s.dom0.moduleOptions.igb, 'max_vfs') ?? '0', 10);
  if (fn && modelOf(fn).sriov && Number.isFinite(maxVfs) && maxVfs > 0) {
    // igb caps max_vfs at 7 (UNVERIFIED for the RHEL-5 driver).
    pciEnableSriov(tx, dev, Math.min(maxVfs, 7));
  }
  return 0;
}
