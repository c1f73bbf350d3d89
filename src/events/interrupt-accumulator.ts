// Coalesces `interrupts` counter events per vector between two messages of one subscription
// (DESIGN.md §5: nothing sends one message per interrupt).
import type { InterruptCounterData, LostCounters } from './event.types';

export interface VectorCounts {
  domain: string | null;
  domid: number | null;
  bdf: string;
  entry: number;
  pirq: number | null;
  delivered: number;
  lost: LostCounters;
}

const REASONS: (keyof LostCounters)[] = ['masked', 'disabled', 'unmapped', 'unbound'];

function count(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

export class InterruptAccumulator {
  private vectors = new Map<string, VectorCounts>();
  private lastVirtualTimeNs: string | null = null;

  get isEmpty(): boolean {
    return this.vectors.size === 0;
  }

  add(data: InterruptCounterData, virtualTimeNs: string | null): void {
    const key = `${data.domid ?? data.domain ?? '-'}|${data.bdf}|${data.entry}`;
    let v = this.vectors.get(key);
    if (!v) {
      v = {
        domain: data.domain ?? null,
        domid: data.domid ?? null,
        bdf: data.bdf,
        entry: data.entry,
        pirq: data.pirq ?? null,
        delivered: 0,
        lost: { masked: 0, disabled: 0, unmapped: 0, unbound: 0 },
      };
      this.vectors.set(key, v);
    }
    v.pirq = data.pirq ?? null;
    v.domain = data.domain ?? v.domain;
    v.delivered += count(data.delivered);
    for (const r of REASONS) v.lost[r] += count(data.lost?.[r]);
    if (virtualTimeNs !== null) this.lastVirtualTimeNs = virtualTimeNs;
  }

  /** The counters since the previous drain, sorted by device and entry; resets them. */
  drain(): { vectors: VectorCounts[]; virtualTimeNs: string | null } {
    const vectors = [...this.vectors.values()].sort(
      (a, b) =>
        a.bdf.localeCompare(b.bdf) ||
        a.entry - b.entry ||
        String(a.domid ?? a.domain).localeCompare(String(b.domid ?? b.domain)),
    );
    this.vectors = new Map();
    return { vectors, virtualTimeNs: this.lastVirtualTimeNs };
  }
}
