// advance(ns) accounts each active vector in bulk — rate × time with an exact fractional carry — and sends
// each interrupt where the modelled path sends it: delivered, or lost masked / disabled / unmapped / unbound.
import fc from 'fast-check';
import { beginTx } from '../core/tx';
import { apply } from '../host';
import * as R from '../pci/constants';
import { hwCfgWrite, mmioWrite32, msixEntryAddress } from '../pci/hw';
import { interruptCounters } from '../queries';
import { PV, VF, pvHost } from '../testing/fixtures';
import { advanceInterrupts, vectorFate } from './delivery';

function running() {
  const d = pvHost('rhel5-2.6.18-283');
  d.run({ type: 'domain.start', domain: PV });
  return d;
}

describe('interrupt accounting', () => {
  it('a 100/s ping for 1.5 s raises 150 interrupts on the tx and the rx vector, all delivered', () => {
    const d = running();
    d.run({ type: 'workload.ping', domain: PV, rate: 100 }, { type: 'advance', ns: 1_500_000_000 });
    const rows = interruptCounters(d.state, { domain: PV });
    expect(rows.map((r) => [r.entry, r.pirq, r.raised, r.delivered])).toEqual([
      [0, 255, 150, 150],
      [1, 254, 150, 150],
    ]);
  });

  it('one interrupts event per active vector per advance, whatever the rate (O(vectors))', () => {
    const d = running();
    d.run({ type: 'workload.ping', domain: PV, rate: 1 });
    const slow = d.run({ type: 'advance', ns: 1_000_000 }).filter((e) => e.type === 'interrupts');
    d.run({ type: 'workload.ping', domain: PV, rate: 1_000_000 });
    const fast = d.run({ type: 'advance', ns: 1_000_000 }).filter((e) => e.type === 'interrupts');
    expect(slow).toHaveLength(2);
    expect(fast).toHaveLength(2);
    expect(fast[0].raised).toBe(1000);
  });

  it('property: however time is split, a vector raises floor(rate × total) interrupts', () => {
    const d = running();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50_000 }),
        fc.array(fc.integer({ min: 1, max: 400_000_000 }), { minLength: 1, maxLength: 8 }),
        (rate, steps) => {
          let s = apply(d.state, { type: 'workload.ping', domain: PV, rate }).state;
          let raised = 0;
          for (const ns of steps) {
            const r = apply(s, { type: 'advance', ns });
            s = r.state;
            for (const e of r.events)
              if (e.type === 'interrupts' && e.entry === 0) raised += e.raised;
          }
          const total = steps.reduce((a, b) => a + b, 0);
          expect(raised).toBe(Math.floor((rate * total) / 1e9));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('bus mastering off → lost as disabled', () => {
    const d = running();
    const tx = beginTx(d.state);
    hwCfgWrite(tx, VF, R.PCI_COMMAND, 2, 0);
    expect(vectorFate(tx.s, 1, VF, 0)).toBe('disabled');
  });

  it('an entry masked at the device → lost as masked', () => {
    const d = running();
    const tx = beginTx(d.state);
    mmioWrite32(tx, (msixEntryAddress(tx.s, VF, 1) ?? 0) + R.PCI_MSIX_ENTRY_VECTOR_CTRL, 1);
    expect(vectorFate(tx.s, 1, VF, 1)).toBe('masked');
    expect(vectorFate(tx.s, 1, VF, 0)).toBe('delivered');
  });

  it('an unmasked entry whose message names no live vector → lost as unmapped', () => {
    const d = running();
    const tx = beginTx(d.state);
    mmioWrite32(tx, (msixEntryAddress(tx.s, VF, 0) ?? 0) + R.PCI_MSIX_ENTRY_DATA, 0x40ee);
    expect(vectorFate(tx.s, 1, VF, 0)).toBe('unmapped');
  });

  it('a mapped pirq with no event channel, entry unmasked → lost as unbound', () => {
    const d = running();
    d.run({ type: 'guest.ifdown', domain: PV, iface: 'eth1' });
    const tx = beginTx(d.state);
    mmioWrite32(tx, (msixEntryAddress(tx.s, VF, 2) ?? 0) + R.PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
    expect(vectorFate(tx.s, 1, VF, 2)).toBe('unbound');
  });

  it('the stale boot of RHBZ#688673 loses everything as masked (Xen masked the entries when dom1 unbound)', () => {
    const d = pvHost('rhel5-2.6.18-274');
    d.run({ type: 'domain.start', domain: PV }, { type: 'domain.reboot', domain: PV });
    d.run({ type: 'workload.ping', domain: PV, rate: 10 });
    const tx = beginTx(d.state);
    advanceInterrupts(tx, 1_000_000_000);
    const rows = interruptCounters(tx.s, { domain: PV });
    expect(rows.map((r) => [r.delivered, r.lost.masked])).toEqual([
      [0, 10],
      [0, 10],
    ]);
  });
});
