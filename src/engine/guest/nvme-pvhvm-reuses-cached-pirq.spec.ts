// Seed 002 (002_55e220c9cb527eac.txt): with QEMU >= 2.1 unmapping pirqs on MSI-X disable, a Linux 4.9
// PV-on-HVM guest reuses the pirq cached in the MSI message although the hypervisor has given it to the
// other NVMe controller; c74fd80f2f41 (linux-fresh-pirq) and a QEMU older than 2.1 each avoid it.
import { interruptCounters, xenPirqs } from '../queries';
import { NVME_A, NVME_B, NVME_GUEST, SECOND, nvmeBooted } from '../testing/fixtures2';
import type { Driver } from '../testing/fixtures';
import { ofDomid } from '../core/domtab';

function afterTimeout(d: Driver): void {
  d.run(
    { type: 'workload.irq', domain: NVME_GUEST, bdf: NVME_A, entry: 0, rate: 1000 },
    { type: 'workload.irq', domain: NVME_GUEST, bdf: NVME_B, entry: 0, rate: 1000 },
    { type: 'advance', ns: 61 * SECOND },
  );
}

function driverOf(d: Driver, host: string): string | null {
  const domid = d.state.domains[NVME_GUEST].domid ?? -1;
  const g = ofDomid(d.state.guests, domid);
  return Object.values(g.pci).find((p) => p.hostBdf === host)?.driver ?? null;
}

function delivered(d: Driver, bdf: string): number {
  return interruptCounters(d.state, { domain: NVME_GUEST, bdf }).reduce(
    (a, r) => a + r.delivered,
    0,
  );
}

describe('NVMe PV-on-HVM cached pirq (seed 002)', () => {
  it('as reported: nvme0 reuses pirq 55 that nvme1 now owns, never gets it mapped and is removed', () => {
    const d = nvmeBooted();
    const lines = d.lines();
    expect(lines).toContain('guest:1: nvme 0000:00:06.0: xen: msi bound to pirq=55');
    expect(lines).toContain('guest:1: nvme 0000:00:05.0: xen: msi already bound to pirq=55');
    expect(lines).toContain('guest:1: xen:events: Failed to obtain physical IRQ 78');
    // Two guest irqs share pirq 55; the hypervisor maps 55 for nvme1's device only.
    const g = ofDomid(d.state.guests, 1);
    expect(Object.values(g.irqs).filter((i) => i.pirq === 55)).toHaveLength(2);
    const p55 = xenPirqs(d.state, 1)[0].pirqs.find((p) => p.pirq === 55);
    expect(p55?.bdf).toBe(NVME_B);
    afterTimeout(d);
    expect(d.lines()).toContain('guest:1: nvme nvme0: I/O 2 QID 0 timeout, disable controller');
    expect(d.lines()).toContain('guest:1: nvme nvme0: Removing after probe failure status: -4');
    expect(driverOf(d, NVME_A)).toBeNull();
    expect(driverOf(d, NVME_B)).toBe('nvme');
    expect(delivered(d, NVME_B)).toBeGreaterThan(0);
    expect(delivered(d, NVME_A)).toBe(0);
  });

  it('with linux-fresh-pirq both controllers come up and receive interrupts', () => {
    const d = nvmeBooted('xen-4.8-linux-4.9', ['linux-fresh-pirq']);
    afterTimeout(d);
    expect(d.lines().some((l) => l.includes('already bound'))).toBe(false);
    expect(d.lines().some((l) => l.includes('Removing after probe failure'))).toBe(false);
    expect(driverOf(d, NVME_A)).toBe('nvme');
    expect(driverOf(d, NVME_B)).toBe('nvme');
    expect(delivered(d, NVME_A)).toBeGreaterThan(0);
    expect(delivered(d, NVME_B)).toBeGreaterThan(0);
  });

  it('with QEMU older than 2.1 (qemu-unmap-pirqs reverted) the pirqs stay mapped and both come up', () => {
    const d = nvmeBooted('xen-4.8-linux-4.9', [], ['qemu-unmap-pirqs']);
    afterTimeout(d);
    expect(d.lines().some((l) => l.includes('Unmap MSI-X pirq'))).toBe(false);
    expect(driverOf(d, NVME_A)).toBe('nvme');
    expect(driverOf(d, NVME_B)).toBe('nvme');
    expect(delivered(d, NVME_A)).toBeGreaterThan(0);
    // The first boot's pirqs 55 and 54 are still mapped (the leak c976437 fixed).
    const mapped = xenPirqs(d.state, 1)[0].pirqs.map((p) => p.pirq);
    expect(mapped).toEqual(expect.arrayContaining([55, 54]));
  });

  it('a single controller re-enabling its vectors gets a fresh pirq: xen_irq_from_pirq finds no irq', () => {
    const d = nvmeBooted('xen-4.8-linux-4.9');
    // nvme1 (B) was the first to re-enable: its old pirq 54 had no irq left, so it was not reused.
    expect(d.lines()).not.toContain(
      'guest:1: nvme 0000:00:06.0: xen: msi already bound to pirq=54',
    );
  });
});
