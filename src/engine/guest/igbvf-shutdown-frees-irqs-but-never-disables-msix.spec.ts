// Seed 001 c.25/c.38: a controlled shutdown runs igbvf_shutdown() → igbvf_suspend(): free_irq ×3 and the
// guest's pci_disable_device() — whose PCI_COMMAND write reaches dom0's command_write — but never
// pci_disable_msix(), so dom0 never unlists the pirqs; Xen frees them when the domain dies.
import type { EngineEvent } from '../core/events';
import { dom0MsiList } from '../queries';
import { PV, VF, pvHost } from '../testing/fixtures';

const actions = (ev: EngineEvent[]): string[] =>
  ev.flatMap((e) => (e.type === 'msi.vector' ? [`${e.action}:${e.pirq}`] : []));

describe('igbvf shutdown path in a PV guest', () => {
  it('unbinds the three pirqs, then Xen unmaps them; dom0 deletes nothing from its list', () => {
    const d = pvHost('rhel5-2.6.18-274');
    d.run({ type: 'domain.start', domain: PV });
    const ev = d.run({ type: 'domain.shutdown', domain: PV });
    expect(actions(ev)).toEqual([
      'guest.unbind:255',
      'guest.unbind:254',
      'guest.unbind:253',
      'xen.unmap:255',
      'xen.unmap:254',
      'xen.unmap:253',
    ]);
    expect(d.state.dom0.pci[VF].msixEnabled).toBe(false);
  });

  it('an abrupt destroy skips the guest path entirely; only Xen unmaps, and the list stays', () => {
    const d = pvHost('rhel5-2.6.18-274');
    d.run({ type: 'domain.start', domain: PV });
    const ev = d.run({ type: 'domain.destroy', domain: PV });
    expect(actions(ev)).toEqual(['xen.unmap:255', 'xen.unmap:254', 'xen.unmap:253']);
    expect(dom0MsiList(d.state, VF)[0].pirqs).toHaveLength(3);
  });

  it('the guest boot prints what the seeds show in dom0: slot assignment, enable, latency, owner ×3', () => {
    const d = pvHost('rhel5-2.6.18-283');
    const lines = d
      .lines(d.run({ type: 'domain.start', domain: PV }))
      .filter((l) => l.startsWith('dom0:'));
    expect(lines).toEqual([
      'dom0: pciback: vpci: 0000:01:10.0: assign to virtual slot 0',
      'dom0: PCI: Enabling device 0000:01:10.0 (0000 -> 0002)',
      'dom0: PCI: Setting latency timer of device 0000:01:10.0 to 64',
      'dom0: get owner for dev 80 get 1 ',
      'dom0: get owner for dev 80 get 1 ',
      'dom0: get owner for dev 80 get 1 ',
    ]);
  });
});
