// SR-IOV VF placement (spec §2): bus = PF bus + ((PF devfn + offset + stride·i) >> 8). The 82576 reports
// First VF Offset 0x80 without an ARI hierarchy (VFs on the PF's own bus, seeds 000/001) and 0x180 with one
// (next bus, seed 003).
import fc from 'fast-check';
import { beginTx } from '../core/tx';
import { createHost } from '../host';
import { listDevices } from '../queries';
import * as R from './constants';
import { hwCfgRead, hwCfgWrite, presentVfs, virtfnBdf } from './hw';
import { powerOn } from './topology';
import type { HostState } from '../core/state';

const PF0 = '0000:01:00.0';
const PF1 = '0000:01:00.1';
const SRIOV = 0x160;

function bareHost(): HostState {
  const s = createHost({
    type: 'host.create',
    template: 'rhbz688673',
    boot: { modprobe: [] },
  }).state;
  return s;
}

function enableVfs(s: HostState, pf: string, n: number, ari: boolean): HostState {
  const tx = beginTx(s);
  if (ari) hwCfgWrite(tx, pf, SRIOV + R.PCI_SRIOV_CTRL, 2, R.PCI_SRIOV_CTRL_ARI);
  hwCfgWrite(tx, pf, SRIOV + R.PCI_SRIOV_NUM_VF, 2, n);
  const ctrl = hwCfgRead(tx.s, pf, SRIOV + R.PCI_SRIOV_CTRL, 2);
  hwCfgWrite(
    tx,
    pf,
    SRIOV + R.PCI_SRIOV_CTRL,
    2,
    ctrl | R.PCI_SRIOV_CTRL_VFE | R.PCI_SRIOV_CTRL_MSE,
  );
  return tx.s;
}

describe('SR-IOV VF placement', () => {
  it('without ARI, VF 0 of PF 01:00.0 is 01:10.0 and of PF 01:00.1 is 01:10.1 (stride 2 interleaves the PFs)', () => {
    let s = enableVfs(bareHost(), PF0, 7, false);
    s = enableVfs(s, PF1, 7, false);
    expect(presentVfs(s, PF0).map((f) => f.bdf)).toEqual([
      '0000:01:10.0',
      '0000:01:10.2',
      '0000:01:10.4',
      '0000:01:10.6',
      '0000:01:11.0',
      '0000:01:11.2',
      '0000:01:11.4',
    ]);
    expect(presentVfs(s, PF1).map((f) => f.bdf)[0]).toBe('0000:01:10.1');
    expect(hwCfgRead(s, PF0, SRIOV + R.PCI_SRIOV_VF_OFFSET, 2)).toBe(0x80);
  });

  it('with the ARI Capable Hierarchy bit the device reports offset 0x180 and VFs move to the next bus', () => {
    const s = enableVfs(bareHost(), PF0, 2, true);
    expect(hwCfgRead(s, PF0, SRIOV + R.PCI_SRIOV_VF_OFFSET, 2)).toBe(0x180);
    expect(presentVfs(s, PF0).map((f) => f.bdf)).toEqual(['0000:02:10.0', '0000:02:10.2']);
  });

  it('a VF answers 0xffff for Vendor/Device ID; dom0 learns 8086:10ca from the PF (VF Device ID)', () => {
    const s = createHost({ type: 'host.create', template: 'rhbz688673' }).state;
    expect(hwCfgRead(s, '0000:01:10.0', R.PCI_VENDOR_ID, 4)).toBe(0xffffffff);
    const vf = listDevices(s).find((d) => d.bdf === '0000:01:10.0');
    expect(vf).toMatchObject({ vendor: '8086', device: '10ca', physfn: PF0, driver: 'igbvf' });
    expect(listDevices(s).find((d) => d.bdf === PF0)?.virtfns).toEqual(['0000:01:10.0']);
  });

  it('clearing VF Enable removes the VFs from the bus', () => {
    let s = enableVfs(bareHost(), PF0, 3, false);
    const tx = beginTx(s);
    hwCfgWrite(tx, PF0, SRIOV + R.PCI_SRIOV_CTRL, 2, R.PCI_SRIOV_CTRL_MSE);
    s = tx.s;
    expect(presentVfs(s, PF0)).toEqual([]);
  });

  it('property: every VF sits at bus + ((devfn + offset + stride*i) >> 8), devfn = low 8 bits', () => {
    const hw = powerOn({ cpus: 1, functions: [{ bdf: '0000:07:00.0', model: '82576-pf' }] });
    const pf = hw.fns['0000:07:00.0'];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.boolean(), (i, ari) => {
        const cfg = pf.cfg.slice();
        const offset = ari ? 0x180 : 0x80;
        cfg[(SRIOV + R.PCI_SRIOV_VF_OFFSET) >> 2] =
          (cfg[(SRIOV + R.PCI_SRIOV_VF_OFFSET) >> 2] & 0xffff0000) | offset;
        const rid = pf.devfn + offset + 2 * i;
        const want = `0000:${(7 + (rid >> 8)).toString(16).padStart(2, '0')}:${((rid & 0xff) >> 3).toString(16).padStart(2, '0')}.${rid & 7}`;
        expect(virtfnBdf({ ...pf, cfg }, i)).toBe(want);
      }),
    );
  });
});
