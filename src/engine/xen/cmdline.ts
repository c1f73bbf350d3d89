// Hypervisor command line parsing (xen/drivers/passthrough/iommu.c parse_iommu_param, RHEL-5 -264; seed 001 c.13/14).
import type { IommuConfig } from './types';

/**
 * `iommu=<list>`: the option itself enables the IOMMU; off|no|false|0|disable turn it off; force|required,
 * passthrough, snoop/no-snoop, no-intremap set flags; anything else (e.g. `pv`, `on`) is ignored — which is
 * why `iommu=pv` "enables the iommu functionality just the same as iommu=on".
 */
export function parseIommuParam(value: string, cfg: IommuConfig): IommuConfig {
  const out = { ...cfg, enabled: true };
  for (const tok of value.split(',')) {
    if (['off', 'no', 'false', '0', 'disable'].includes(tok)) out.enabled = false;
    else if (tok === 'force' || tok === 'required') out.force = true;
    else if (tok === 'passthrough') out.passthrough = true;
    else if (tok === 'snoop') out.snoop = true;
    else if (tok === 'no-snoop') out.snoop = false;
    else if (tok === 'no-intremap') out.intremap = false;
  }
  return out;
}

export interface XenCmdline {
  iommu: IommuConfig;
  extraGuestIrqs: number;
}

export const DEFAULT_IOMMU: IommuConfig = {
  enabled: false,
  force: false,
  passthrough: false,
  snoop: true,
  intremap: true,
};

export function parseXenCmdline(cmdline: string): XenCmdline {
  let iommu = { ...DEFAULT_IOMMU };
  let extraGuestIrqs = 32;
  for (const tok of cmdline.split(/\s+/).filter(Boolean)) {
    const eq = tok.indexOf('=');
    const key = eq < 0 ? tok : tok.slice(0, eq);
    const val = eq < 0 ? '' : tok.slice(eq + 1);
    if (key === 'iommu') iommu = parseIommuParam(val, iommu);
    else if (key === 'extra_guest_irqs') {
      const n = parseInt(val, 10);
      if (Number.isFinite(n) && n >= 0) extraGuestIrqs = Math.min(n, 4096);
    }
  }
  return { iommu, extraGuestIrqs };
}
