// xen/arch/x86/physdev.c: PHYSDEVOP_map_pirq / unmap_pirq as the RHEL-5 hypervisor handles MSI (spec §4.1, R18).
import { bdfOf } from '../core/format';
import type { Tx } from '../core/tx';
import { xenDprintk } from './console';
import { EINVAL, ESRCH } from './errno';
import { assignIrqVector, getFreePirq, mapDomainPirq, unmapDomainPirq } from './irq';
import { byDomid } from '../core/domtab';

export const DOMID_SELF = 0x7ff0;

export interface PhysdevMapPirq {
  domid: number;
  /** MAP_PIRQ_TYPE_MSI only in this model. */
  type: 'msi';
  /** -1: allocate a new vector. */
  index: number;
  /** -1: allocate with get_free_pirq(). */
  pirq: number;
  bus: number;
  devfn: number;
  entryNr: number;
  tableBase: number;
}

function resolve(caller: number, domid: number): number {
  return domid === DOMID_SELF ? caller : domid;
}

/** PHYSDEVOP_map_pirq: returns the hypercall rc and the pirq written back into the argument. */
export function physdevMapPirq(
  tx: Tx,
  caller: number,
  map: PhysdevMapPirq,
): { rc: number; pirq: number } {
  const domid = resolve(caller, map.domid);
  const d = byDomid(tx.s.xen.domains, domid);
  if (!d) return { rc: -ESRCH, pirq: map.pirq };
  const vec = map.index === -1 ? assignIrqVector(tx.s) : { cpu: 0, vector: map.index };
  if (!vec) {
    xenDprintk(tx, 'mapWrongVector', `dom${domid}: map irq with wrong vector ${-28}`);
    return { rc: -EINVAL, pirq: map.pirq };
  }
  let pirq = map.pirq;
  if (pirq < 0) {
    pirq = getFreePirq(tx.s, domid);
    if (pirq < 0) {
      xenDprintk(tx, 'noFreePirq', `dom${domid}: no free pirq`);
      return { rc: pirq, pirq: map.pirq };
    }
  }
  const rc = mapDomainPirq(tx, domid, pirq, vec, {
    bdf: bdfOf(0, map.bus, map.devfn),
    entry: map.entryNr,
    tableBase: map.tableBase,
  });
  return rc === 0 ? { rc, pirq } : { rc, pirq: map.pirq };
}

/** PHYSDEVOP_unmap_pirq: -ESRCH if the domain no longer exists. */
export function physdevUnmapPirq(tx: Tx, caller: number, domid: number, pirq: number): number {
  const id = resolve(caller, domid);
  if (!byDomid(tx.s.xen.domains, id)) return -ESRCH;
  return unmapDomainPirq(tx, id, pirq);
}
