// Seed 001_e71fea0288255001.txt c.8/c.15: in the broken state, `rmmod igbvf` in the guest runs
// pci_disable_msix() → msi_remove_pci_irq_vectors(): every unmap fails (the new domain never had the pirqs),
// the list is emptied anyway, and the next boot works.
import { dom0MsiList } from './queries';
import { PV, VF, pingSecond, pvHost } from './testing/fixtures';

describe('rmmod igbvf after the leak (the workaround of comment 8)', () => {
  it('logs "(XEN) irq.c:934: dom2: pirq 255 not mapped" and "unmap irq ff failed" for each stale pirq, then the next boot works', () => {
    const d = pvHost('rhel5-2.6.18-274');
    d.run({ type: 'domain.start', domain: PV }, { type: 'domain.reboot', domain: PV });
    const lines = d.lines(d.run({ type: 'guest.rmmod', domain: PV, module: 'igbvf' }));
    const expected = [
      'xen: (XEN) irq.c:934: dom2: pirq 255 not mapped',
      'dom0: unmap irq ff failed',
      'xen: (XEN) irq.c:934: dom2: pirq 254 not mapped',
      'dom0: unmap irq fe failed',
      'xen: (XEN) irq.c:934: dom2: pirq 253 not mapped',
      'dom0: unmap irq fd failed',
    ];
    expect(lines.filter((l) => l.includes('not mapped') || l.includes('unmap irq'))).toEqual(
      expected,
    );
    expect(dom0MsiList(d.state, VF)[0].pirqs).toEqual([]);
    d.run({ type: 'domain.reboot', domain: PV });
    expect(d.lines().some((l) => l.startsWith('guest:3') && l.includes('Failed to obtain'))).toBe(
      false,
    );
    expect(pingSecond(d).delivered).toBe(200);
  });

  it('a guest that removes igbvf before shutting down never leaks (seed 001 c.25)', () => {
    const d = pvHost('rhel5-2.6.18-274');
    d.run(
      { type: 'domain.start', domain: PV },
      { type: 'guest.rmmod', domain: PV, module: 'igbvf' },
    );
    d.run({ type: 'domain.reboot', domain: PV });
    expect(d.lines().some((l) => l.includes('not freed before acquire again'))).toBe(false);
    expect(pingSecond(d).delivered).toBe(200);
  });
});
