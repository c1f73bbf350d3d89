// Host hardware as data, and "firmware": power-on, bridge bus numbers and BAR address assignment.
import { canonicalBdf, splitBdf } from '../core/format';
import { deviceModel, type BarSpec } from './catalog';
import { initialConfig, rawRead, rawWrite } from './config';
import * as R from './constants';
import type { HwState, PciFunction } from './types';

export interface HardwareFunctionSpec {
  bdf: string;
  model: string;
  /** Bridges: bus numbers as the firmware programs them. */
  secondary?: number;
  subordinate?: number;
}

export interface HardwareSpec {
  cpus: number;
  functions: HardwareFunctionSpec[];
  /** Engine II: the machine's architecture (x86 VT-d DMAR faults vs POWER EEH); x86_64 when absent. */
  arch?: 'x86_64' | 'ppc64';
  /** Engine II: firmware location codes by BDF (POWER `ibm,loc-code`: EEH prints them). */
  locations?: Record<string, string>;
}

export function msixTableDwords(entries: number): number[] {
  const t = new Array<number>(entries * 4).fill(0);
  // Reset value of each entry's Mask bit is 1 (PCI spec): vectors start masked.
  for (let i = 0; i < entries; i++) t[i * 4 + 3] = R.PCI_MSIX_ENTRY_CTRL_MASKBIT;
  return t;
}

/** A function in its power-on state. */
export function newFunction(bdf: string, modelId: string): PciFunction {
  const m = deviceModel(modelId);
  const a = splitBdf(bdf);
  const entries = m.msix ? m.msix.entries : 0;
  return {
    bdf,
    seg: a.seg,
    bus: a.bus,
    devfn: a.devfn,
    model: modelId,
    cfg: initialConfig(modelId),
    table: msixTableDwords(entries),
    pba: new Array<number>(Math.ceil(entries / 32)).fill(0),
    physfn: null,
    vfIndex: null,
  };
}

const MMIO_BASE = 0xd0000000;
const IO_BASE = 0x2000;

function align(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/** Power on the host: every listed function at reset values, bus numbers and BARs assigned by firmware. */
export function powerOn(spec: HardwareSpec): HwState {
  const fns: Record<string, PciFunction> = {};
  const ordered = spec.functions
    .map((f) => ({ ...f, bdf: canonicalBdf(f.bdf) }))
    .sort((x, y) => (x.bdf < y.bdf ? -1 : x.bdf > y.bdf ? 1 : 0));
  let mmio = MMIO_BASE;
  let io = IO_BASE;
  const assign = (b: BarSpec, size: number): number => {
    if (b.kind === 'io') {
      io = align(io, Math.max(size, 4));
      const at = io;
      io += size;
      return at;
    }
    mmio = align(mmio, Math.max(size, 0x1000));
    const at = mmio;
    mmio += size;
    return at;
  };
  for (const f of ordered) {
    const fn = newFunction(f.bdf, f.model);
    const m = deviceModel(f.model);
    if (m.headerType === 1) {
      rawWrite(fn.cfg, R.PCI_PRIMARY_BUS, 1, fn.bus);
      rawWrite(fn.cfg, R.PCI_SECONDARY_BUS, 1, f.secondary ?? 0);
      rawWrite(fn.cfg, R.PCI_SUBORDINATE_BUS, 1, f.subordinate ?? f.secondary ?? 0);
    }
    for (const b of m.bars) {
      const off = R.PCI_BASE_ADDRESS_0 + 4 * b.index;
      const base = assign(b, b.size);
      rawWrite(fn.cfg, off, 4, (rawRead(fn.cfg, off, 4) & 0xf) | base);
    }
    if (m.sriov) {
      // A BIOS with SR-IOV support reserves TotalVFs × VF BAR size for each VF BAR.
      for (const b of m.sriov.vfBars) {
        const off = m.sriov.offset + R.PCI_SRIOV_BAR + 4 * b.index;
        const base = assign(b, b.size * m.sriov.totalVfs);
        rawWrite(fn.cfg, off, 4, (rawRead(fn.cfg, off, 4) & 0xf) | base);
      }
    }
    fns[fn.bdf] = fn;
  }
  return { fns, cpus: spec.cpus };
}
