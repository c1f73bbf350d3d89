// Host-level commands: a host reboot power-cycles the hardware (dom0's stale list is gone with dom0's
// memory); libvirt-style detach/reattach move a VF between dom0's igbvf and pciback — and giving a VF with a
// stale list back to dom0's igbvf shows the same leak from dom0's side.
import { dom0MsiList, getDevice, listDomains } from '../queries';
import { Driver, PV, VF, pingSecond, pvHost } from '../testing/fixtures';
import { ofDomid } from '../core/domtab';

describe('host reboot', () => {
  it('shuts the guests down, power-cycles, and boots with an empty msi_dev_head; autostart domains come back', () => {
    const d = pvHost('rhel5-2.6.18-274');
    d.run(
      { type: 'domain.define', config: { name: 'auto', type: 'pv', autostart: true } },
      { type: 'domain.start', domain: PV },
      { type: 'domain.reboot', domain: PV },
    );
    expect(dom0MsiList(d.state, VF)[0].pirqs).toHaveLength(3);
    d.run({ type: 'host.reboot' });
    // dom0 rebooted: its only list entry is the one its own igbvf created at boot (three fresh dom0 pirqs).
    expect(dom0MsiList(d.state, VF)).toHaveLength(1);
    expect(dom0MsiList(d.state, VF)[0].pirqs.map((p) => p.pirq)).toEqual([255, 254, 253]);
    expect(ofDomid(d.state.xen.domains, 0).pirqs.p255.bdf).toBe(VF);
    expect(getDevice(d.state, VF).driver).toBe('igbvf');
    expect(listDomains(d.state).map((x) => [x.name, x.state])).toEqual([
      ['auto', 'running'],
      [PV, 'shutoff'],
    ]);
  });

  it('can reboot into another profile', () => {
    const d = pvHost('rhel5-2.6.18-274');
    d.run({ type: 'host.reboot', profile: 'rhel5-2.6.18-283' });
    expect(d.state.changesets).toEqual(['cs1070', 'msi-prune']);
  });
});

describe('nodedev detach / reattach', () => {
  it('detach binds pciback (loading it), reattach gives the VF back to igbvf', () => {
    const d = Driver.create('rhbz688673', 'rhel5-2.6.18-283');
    d.run({ type: 'device.detach', bdf: VF });
    expect(getDevice(d.state, VF)).toMatchObject({
      driver: 'pciback',
      pciback: { seized: true, slot: true },
    });
    d.run({ type: 'device.reattach', bdf: VF });
    expect(getDevice(d.state, VF)).toMatchObject({
      driver: 'igbvf',
      pciback: { seized: false, slot: false },
    });
  });

  it('a managed hostdev is detached at start and reattached when the domain stops', () => {
    const d = Driver.create('rhbz688673', 'rhel5-2.6.18-283');
    d.run(
      {
        type: 'domain.define',
        config: { name: PV, type: 'pv', hostdevs: [{ bdf: VF, managed: true }] },
      },
      { type: 'domain.start', domain: PV },
    );
    expect(getDevice(d.state, VF).assignedTo).toEqual({ domain: PV, domid: 1 });
    expect(pingSecond(d).delivered).toBe(200);
    d.run({ type: 'domain.shutdown', domain: PV });
    expect(getDevice(d.state, VF).driver).toBe('igbvf');
  });

  it('as reported, handing a leaked VF back to dom0 makes dom0 igbvf reuse pirqs dom0 never mapped', () => {
    const d = pvHost('rhel5-2.6.18-274');
    d.run({ type: 'domain.start', domain: PV }, { type: 'domain.shutdown', domain: PV });
    const lines = d.lines(d.run({ type: 'device.reattach', bdf: VF }));
    expect(lines).toContain(
      'dom0: msix entry 0 for dev 01:10:0 are not freed before acquire again.',
    );
  });
});
