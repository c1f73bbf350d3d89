// Xen 4.4 alloc_pdev()/free_pdev() (spec §4.2, R19; seed 003): alloc returns an existing record unchanged;
// free copies bus2bridge[pdev->bus] over the live secondary..subordinate range and never invalidates —
// unless `xen-bus2bridge-invalidate` clears a self-reference; u8 loop variables hang on subordinate 0xff.
import { EngineError } from '../core/errors';
import { beginTx } from '../core/tx';
import { stateHash } from '../host';
import { allocPdev, bus2bridgeView, freePdev } from './pdev';
import { createWith, removeAndAddTundra } from '../testing/fixtures2';

describe('alloc_pdev / free_pdev (Xen 4.4)', () => {
  it('boot: the scan reports the Tundra at 06:00.0 while it still holds secondary 06 → 6 points at itself', () => {
    const d = createWith('xen44-assign-busses', 'xen-4.4-linux-3.13');
    expect(bus2bridgeView(d.state)).toEqual({ 6: '06:00.0', 7: '07:01.0' });
  });

  it('alloc_pdev of a known address returns the old record and leaves bus2bridge alone', () => {
    const d = createWith('xen44-assign-busses', 'xen-4.4-linux-3.13');
    const tx = beginTx(d.state);
    // "05:00.0" is the Tundra's stale record (cached PCIe-to-PCI type) though the I210 answers there now.
    const p = allocPdev(tx, 0, 5, 0);
    expect(p.type).toBe('DEV_TYPE_PCIe2PCI_BRIDGE');
    expect(bus2bridgeView(tx.s)).toEqual(bus2bridgeView(d.state));
  });

  it("removing and re-adding 06:00.0 copies entry 6 into 7 and 8 and never clears it: the document's table", () => {
    const d = createWith('xen44-assign-busses', 'xen-4.4-linux-3.13');
    d.run(removeAndAddTundra[0]);
    expect(bus2bridgeView(d.state)).toEqual({ 6: '06:00.0', 7: '06:00.0', 8: '06:00.0' });
    d.run(removeAndAddTundra[1]);
    expect(bus2bridgeView(d.state)).toEqual({ 6: '06:00.0', 7: '06:00.0', 8: '07:01.0' });
  });

  it('with xen-bus2bridge-invalidate free_pdev clears the self-references and says so', () => {
    const d = createWith('xen44-assign-busses', 'xen-4.4-bus2bridge-invalidate');
    const ev = d.run(...removeAndAddTundra);
    expect(d.lines(ev)).toEqual(
      expect.arrayContaining([
        'xen: (XEN) 0000:07:01.0 recursed clearing it',
        'xen: (XEN) 0000:06:00.0 recursed clearing it',
      ]),
    );
    expect(bus2bridgeView(d.state)).toEqual({ 7: '06:00.0', 8: '07:01.0' });
  });

  it('freeing a stale bridge record whose address reads all ones loops forever on u8 buses (hypervisor-hang)', () => {
    const d = createWith('xen44-assign-busses', 'xen-4.4-linux-3.13');
    // The bridge behind the Tundra was 06:01.0 in firmware numbering; nothing answers there now.
    expect(d.state.hw.fns['0000:06:01.0']).toBeUndefined();
    const before = stateHash(d.state);
    const tx = beginTx(d.state);
    let err: unknown;
    try {
      freePdev(tx, '0000:06:01.0');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('hypervisor-hang');
    expect(stateHash(d.state)).toBe(before);
  });
});
