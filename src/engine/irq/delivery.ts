// Interrupt delivery in bulk: per vector and per advance, how many interrupts the device raised and where
// they went — decided by the real path (bus master → MSI-X Enable/Mask → entry Mask → message → hypervisor
// vector → domain pirq → event channel / guest vector). Cost is O(vectors), not O(interrupts).
import type { HostState } from '../core/state';
import { w, type Tx } from '../core/tx';
import type { LossCounts } from '../core/events';
import * as R from '../pci/constants';
import { deviceModel } from '../pci/catalog';
import { rawRead } from '../pci/config';
import type { IrqRow } from './types';
import type { MsixEntry } from '../dom0/types';
import {
  IRQ_CARRY,
  IRQ_DELIVERED,
  IRQ_DISABLED,
  IRQ_MASKED,
  IRQ_RAISED,
  IRQ_STRIDE,
  IRQ_UNBOUND,
  IRQ_UNMAPPED,
} from './types';
import { pk } from '../core/keys';
import { kvmVectorFate } from '../kvm/fate';
import { pirqEvtchn } from '../xen/pirq4';
import { dmaContextOk, dmaRequesterId, irteAccepts } from '../xen/vtd';
import { activeVector } from '../guest/linux-msi';
import { byDomid } from '../core/domtab';
import { vectorUse } from '../xen/vectors';

function hasIrqWorkload(irq: Record<string, number>): boolean {
  for (const _k in irq) return true;
  return false;
}

export type Fate = 'delivered' | keyof LossCounts;

const FATE_SLOT: Record<Fate, number> = {
  delivered: IRQ_DELIVERED,
  masked: IRQ_MASKED,
  disabled: IRQ_DISABLED,
  unmapped: IRQ_UNMAPPED,
  unbound: IRQ_UNBOUND,
};

/** Where an interrupt raised now by `bdf`'s MSI-X `entry` ends up, from `domid`'s point of view. */
export function vectorFate(s: HostState, domid: number, bdf: string, entry: number): Fate {
  if (s.kvm) return kvmVectorFate(s, domid, bdf, entry); // Engine II: vfio → irqfd on a KVM host
  const fn = s.hw.fns[bdf];
  if (!fn) return 'disabled';
  const x = deviceModel(fn.model).msix;
  if (!x || entry >= x.entries) return 'disabled';
  if (!(rawRead(fn.cfg, R.PCI_COMMAND, 2) & R.PCI_COMMAND_MASTER)) return 'disabled';
  const ctrl = rawRead(fn.cfg, x.offset + R.PCI_MSIX_FLAGS, 2);
  if (!(ctrl & R.PCI_MSIX_FLAGS_ENABLE)) return 'disabled';
  if (ctrl & R.PCI_MSIX_FLAGS_MASKALL) return 'masked';
  const base = entry * 4;
  if (fn.table[base + 3] & R.PCI_MSIX_ENTRY_CTRL_MASKBIT) return 'masked';
  const addr = fn.table[base];
  if ((addr & 0xfff00000) >>> 0 !== R.MSI_ADDR_BASE_LO) return 'unmapped';
  const cpu = (addr >>> R.MSI_ADDR_DEST_ID_SHIFT) & 0xff;
  const vector = fn.table[base + 2] & R.MSI_DATA_VECTOR_MASK;
  const use = vectorUse(s, cpu, vector);
  if (!use || use.domid !== domid) return 'unmapped';
  const p = byDomid(s.xen.domains, domid)?.pirqs[pk(use.pirq)];
  if (!p) return 'unmapped';
  // Engine II (Xen 4.x VT-d): the device's DMA needs a context entry for its requester id, and the
  // interrupt must pass the IRTE's source-id check.
  if (s.xen.vtdContexts && !vtdAllows(s, domid, bdf, use.pirq)) return 'unmapped';
  // Engine II: a PV-on-HVM pirq (guest vector 0) is delivered through the guest's event channel.
  if (p.dpci === 0 && p.evtchn === 0)
    return pirqEvtchn(s, domid, use.pirq) ? 'delivered' : 'unbound';
  if (p.evtchn === 0 && p.dpci === null) return 'unbound';
  return 'delivered';
}

function vtdAllows(s: HostState, domid: number, bdf: string, pirq: number): boolean {
  if (!dmaContextOk(s, domid, bdf)) return false;
  return irteAccepts(s, domid, pirq, dmaRequesterId(s, bdf));
}

interface FateMemo {
  hw: HostState['hw'];
  xen: HostState['xen'];
  rows: IrqRow[];
  // Engine II: KVM fates also depend on QEMU's vectors, the host's vfio state and guest handlers.
  kvm: HostState['kvm'];
  qemu: HostState['qemu'];
  guests: HostState['guests'];
  fates: number[];
}

// Pure memoisation: the same hardware, hypervisor and rows objects always give the same fates, and an
// advance changes none of them, so consecutive 1 ms steps reuse the result.
let memo: FateMemo | null = null;

function fatesFor(s: HostState): number[] {
  const rows = s.irq.rows;
  if (
    memo &&
    memo.hw === s.hw &&
    memo.xen === s.xen &&
    memo.rows === rows &&
    memo.kvm === s.kvm &&
    memo.qemu === s.qemu &&
    memo.guests === s.guests
  )
    return memo.fates;
  const fates = rows.map((r) =>
    r.live && r.rate > 0 ? FATE_SLOT[vectorFate(s, r.domid, r.bdf, r.entry)] : 0,
  );
  memo = { hw: s.hw, xen: s.xen, rows, kvm: s.kvm, qemu: s.qemu, guests: s.guests, fates };
  return fates;
}

const NS = 1_000_000_000;

/** Advance virtual time by `ns`, accounting every active vector and emitting one `interrupts` event each. */
export function advanceInterrupts(tx: Tx, ns: number): void {
  const s = tx.s;
  const rows = s.irq.rows;
  let any = false;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].live && rows[i].rate > 0) {
      any = true;
      break;
    }
  }
  s.now += ns;
  if (!any) return;
  const fates = fatesFor(s);
  const counts = w(tx, w(tx, s, 'irq'), 'counts');
  const host = s.name;
  const t = s.now;
  const secs = Math.floor(ns / NS);
  const rem = ns - secs * NS;
  const events = tx.events;
  let seq = s.seq;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!row.live || row.rate <= 0) continue;
    const base = i * IRQ_STRIDE;
    const frac = row.rate * rem + counts[base + IRQ_CARRY];
    const whole = Math.floor(frac / NS);
    counts[base + IRQ_CARRY] = frac - whole * NS;
    const raised = row.rate * secs + whole;
    const slot = fates[i];
    counts[base + IRQ_RAISED] += raised;
    counts[base + slot] += raised;
    events.push({
      type: 'interrupts',
      host,
      t,
      seq: seq++,
      domain: row.domain,
      domid: row.domid,
      bdf: row.bdf,
      entry: row.entry,
      pirq: row.pirq,
      intervalNs: ns,
      raised,
      delivered: slot === IRQ_DELIVERED ? raised : 0,
      lost:
        slot === IRQ_DELIVERED || raised === 0
          ? NO_LOSS
          : {
              masked: slot === IRQ_MASKED ? raised : 0,
              disabled: slot === IRQ_DISABLED ? raised : 0,
              unmapped: slot === IRQ_UNMAPPED ? raised : 0,
              unbound: slot === IRQ_UNBOUND ? raised : 0,
            },
    });
  }
  s.seq = seq;
}

/** Shared (frozen) loss record of the common case: nothing lost. */
const NO_LOSS: LossCounts = Object.freeze({ masked: 0, disabled: 0, unmapped: 0, unbound: 0 });

/** A row, always built with the same field order (one hidden class for the advance loop). */
function irqRow(
  domain: string,
  domid: number,
  bdf: string,
  entry: number,
  pirq: number | null,
  rate: number,
  live: boolean,
): IrqRow {
  return { domain, domid, bdf, entry, pirq, rate, live };
}

/** The rates the guests' workloads ask of their devices now (key `domid/bdf#entry`). */
function desiredRates(s: HostState): Map<string, IrqRow> {
  const out = new Map<string, IrqRow>();
  for (const g of s.guests) {
    // Only workloads make devices raise interrupts: a guest without any asks for nothing.
    if (isEmpty(g.workloads.ping) && isEmpty(g.workloads.irq)) continue;
    const add = (bdf: string, entry: number, rate: number, pirq: number | null): void => {
      const k = `${g.domid}/${bdf}#${entry}`;
      const cur = out.get(k);
      out.set(k, irqRow(g.domain, g.domid, bdf, entry, pirq, (cur?.rate ?? 0) + rate, true));
    };
    // Interfaces that are up, by host device: only they raise interrupts.
    const upByHost = new Map<string, { ifname: string; entries: MsixEntry[] }>();
    for (const ifname in g.netdevs) {
      const nd = g.netdevs[ifname];
      const a = g.igbvf[nd.dev];
      if (!nd.up || !a || !a.running || !a.msixEntries) continue;
      const hostBdf = g.pci[nd.dev].hostBdf;
      const pf = s.hw.fns[hostBdf]?.physfn;
      // The VF's link follows its PF: no PF driver, no link.
      if (pf && s.dom0.pci[pf]?.driver !== 'igb') continue;
      upByHost.set(hostBdf, { ifname, entries: a.msixEntries });
    }
    if (upByHost.size === 0 && !hasIrqWorkload(g.workloads.irq)) continue;
    const pirqOf = (entries: MsixEntry[], entry: number): number | null =>
      g.kind === 'pv' ? (entries.find((e) => e.entry === entry)?.vector ?? null) : null;
    for (const [hostBdf, up] of upByHost) {
      const pingRate = g.workloads.ping[up.ifname] ?? 0;
      if (pingRate > 0) {
        add(hostBdf, 0, pingRate, pirqOf(up.entries, 0)); // tx completion
        add(hostBdf, 1, pingRate, pirqOf(up.entries, 1)); // rx (echo reply)
      }
    }
    for (const wk in g.workloads.irq) {
      const hash = wk.lastIndexOf('#');
      const bdf = wk.slice(0, hash);
      const up = upByHost.get(bdf);
      const entry = Number(wk.slice(hash + 1));
      if (!up) {
        // Engine II: vectors of the other drivers (nvme, ipr, test vectors) that have a handler.
        const p = activeVector(s, g, bdf, entry);
        if (p !== undefined) add(bdf, entry, g.workloads.irq[wk], p);
        continue;
      }
      add(bdf, entry, g.workloads.irq[wk], pirqOf(up.entries, entry));
    }
  }
  return out;
}

/** Does any guest have a workload (the guests desiredRates() does not skip)? */
function anyWorkload(s: HostState): boolean {
  const guests = s.guests;
  for (let i = 0; i < guests.length; i++) {
    const g = guests[i];
    if (!isEmpty(g.workloads.ping) || !isEmpty(g.workloads.irq)) return true;
  }
  return false;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/**
 * Re-derive the rows from the guests' state after a command: rows of live guests get their current rate and
 * pirq; rows of dead boots stop (live=false) but keep their counters until the domain boots again.
 */
export function refreshIrqRows(tx: Tx): void {
  const s = tx.s;
  const rows = s.irq.rows;
  // No rows and no guest with a workload: desiredRates() would find nothing (the common case, after
  // every command of a host without workloads), so there is nothing to derive.
  if (rows.length === 0 && !anyWorkload(s)) return;
  const want = desiredRates(s);
  if (rows.length === 0 && want.size === 0) return; // no workload, no rows: nothing to derive
  let changed = false;
  const next: IrqRow[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const k = `${r.domid}/${r.bdf}#${r.entry}`;
    const d = want.get(k);
    const live = byDomid(s.guests, r.domid) !== undefined;
    const rate = d ? d.rate : 0;
    const pirq = d ? d.pirq : r.pirq;
    if (live !== r.live || rate !== r.rate || pirq !== r.pirq) {
      changed = true;
      next.push(irqRow(r.domain, r.domid, r.bdf, r.entry, pirq, rate, live));
    } else next.push(r);
    seen.add(k);
  }
  const added: IrqRow[] = [];
  for (const [k, d] of want) if (!seen.has(k) && d.rate > 0) added.push(d);
  if (!changed && added.length === 0) return;
  const irq = w(tx, s, 'irq');
  irq.rows = next.concat(added);
  if (added.length) {
    const counts = w(tx, irq, 'counts');
    for (let i = 0; i < added.length * IRQ_STRIDE; i++) counts.push(0);
  }
}

/** Drop the rows (and counters) of a domain's earlier boots, when it boots again or is undefined. */
export function dropIrqRows(tx: Tx, domain: string): void {
  const rows = tx.s.irq.rows;
  if (!rows.some((r) => r.domain === domain)) return;
  const counts = tx.s.irq.counts;
  const keepRows: IrqRow[] = [];
  const keepCounts: number[] = [];
  rows.forEach((r, i) => {
    if (r.domain === domain) return;
    keepRows.push(r);
    for (let j = 0; j < IRQ_STRIDE; j++) keepCounts.push(counts[i * IRQ_STRIDE + j]);
  });
  const irq = w(tx, tx.s, 'irq');
  irq.rows = keepRows;
  irq.counts = keepCounts;
}
