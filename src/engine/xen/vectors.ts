// The hypervisor's vector space (irq_desc[] per CPU), as the state keeps it: per CPU, indexed by vector.
import type { HostState } from '../core/state';
import type { XenVectorUse } from './types';

/** Who uses `vector` on `cpu` (undefined or null: nobody). */
export function vectorUse(
  s: HostState,
  cpu: number,
  vector: number,
): XenVectorUse | null | undefined {
  const perCpu = s.xen.vectors[cpu];
  return perCpu === undefined ? undefined : perCpu[vector];
}
