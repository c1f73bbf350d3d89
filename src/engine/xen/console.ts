// The hypervisor console: printk with the "(XEN) " prefix, dprintk with "file:line: " (xen/include/xen/lib.h).
import type { HostState } from '../core/state';
import { printk, type Tx } from '../core/tx';
import { XEN_VERSIONS, type XenVersionInfo } from '../profiles/xen-versions';

export function xenVersion(s: HostState): XenVersionInfo {
  return XEN_VERSIONS[s.xenVersion];
}

export function xenPrintk(tx: Tx, text: string): void {
  printk(tx, 'xen', `(XEN) ${text}`);
}

/**
 * dprintk sites, with the line numbers of the RHEL-5 hypervisor build. Only irq.c:934 is attested (seed 001
 * c.15: "(XEN) irq.c:934: dom2: pirq 255 not mapped"); the other line numbers are UNVERIFIED placeholders.
 */
export const DPRINTK_SITES = {
  unmapNotMapped: 'irq.c:934',
  unmapForcingUnbind: 'irq.c:947',
  mapAlreadyMapped: 'irq.c:861',
  mapInvalid: 'irq.c:852',
  noFreePirq: 'physdev.c:146',
  mapWrongVector: 'physdev.c:120',
} as const;

export function xenDprintk(tx: Tx, site: keyof typeof DPRINTK_SITES, text: string): void {
  if (!xenVersion(tx.s).dprintk) return;
  xenPrintk(tx, `${DPRINTK_SITES[site]}: ${text}`);
}
