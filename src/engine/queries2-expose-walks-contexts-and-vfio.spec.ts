// The Engine II queries show what the mechanisms hold: the bus2bridge table and its walk (seed 003),
// VT-d contexts, and a KVM host's vfio devices and their IOMMU groups (seed 004).
import { getDevice } from './queries';
import { bus2bridge, guestWork, upstreamBridgeWalk, vfioDevices, vtdContexts } from './queries2';
import { IPR, createWith, iprBooted, nvmeBooted, removeAndAddTundra } from './testing/fixtures2';

describe('Engine II queries', () => {
  it('bus2bridge and the upstream-bridge walk of the HBA after the remove and re-add', () => {
    const d = createWith('xen44-assign-busses', 'xen-4.4-linux-3.13');
    d.run(...removeAndAddTundra);
    expect(bus2bridge(d.state)).toEqual({ 6: '06:00.0', 7: '06:00.0', 8: '07:01.0' });
    expect(upstreamBridgeWalk(d.state, '08:00.0')).toMatchObject({ ret: -1, bridge: null });
    expect(vtdContexts(d.state)['0000:08:00.0']).toBe(0);
  });

  it('vfio devices with their group, owner and host vectors; nodedevs show the group and the VM', () => {
    const d = iprBooted();
    const [v] = vfioDevices(d.state, IPR);
    expect(v).toMatchObject({ bdf: IPR, group: 1, owner: 1, irqType: 'msix' });
    expect(v.vectors[0].name).toBe(`vfio-msix[0](${IPR})`);
    expect(getDevice(d.state, IPR)).toMatchObject({
      driver: 'vfio-pci',
      iommuGroup: 1,
      assignedTo: { domid: 1 },
    });
    expect(() => vfioDevices(d.state, '0000:02:00.0')).toThrow(
      expect.objectContaining({ code: 'unknown-device' }),
    );
  });

  it('guest work sleeping on its timer is listed with its wake-up time', () => {
    const d = nvmeBooted();
    const work = guestWork(d.state);
    expect(work).toEqual([
      expect.objectContaining({ task: 'nvme0', kind: 'nvme.reset', wakeAt: 60_000_000_000 }),
    ]);
  });
});
