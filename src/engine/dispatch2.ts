// Engine II command handlers (commands2.ts), reached from host.ts dispatch().
import type { Engine2Command } from './commands2';
import { fail } from './core/errors';
import { hex, parseBdf } from './core/format';
import { own, type Tx, mXen } from './core/tx';
import { reqInt, reqString } from './core/validate';
import { dom0PciRemove, dom0PciRescan } from './dom0/pvops-pci';
import { hasPdevModel } from './profiles/stack2';
import { b2bKey } from './xen/pdev';
import type { Bus2Bridge } from './xen/types';
import { guestDriverReset, guestMsixWrite, guestPciWrite, guestSchedule } from './guest/commands2';

/** xen.debug.bus2bridge: the C1 fixture — entries written as a debugger would, nothing else runs. */
function xenDebugBus2bridge(
  tx: Tx,
  c: Extract<Engine2Command, { type: 'xen.debug.bus2bridge' }>,
): void {
  if (!hasPdevModel(tx.s))
    fail('invalid-state', 'this hypervisor keeps no bus2bridge table (Xen 4.x only)');
  const raw: unknown = c.map;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    fail('invalid-argument', '\'map\' must be an object: bus number → "BB:DD.F" or null');
  const next: Record<string, Bus2Bridge> = { ...(tx.s.xen.bus2bridge ?? {}) };
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const bus = Number(k);
    if (!/^\d{1,3}$/.test(k) || bus > 255) fail('invalid-argument', `bus '${k}' must be 0-255`);
    if (v === null) {
      delete next[b2bKey(bus)];
      continue;
    }
    const a = typeof v === 'string' ? parseBdf(v) : null;
    if (!a || a.seg !== 0)
      fail('invalid-argument', `bus ${k}: ${JSON.stringify(v)} is not a BB:DD.F address`);
    next[b2bKey(bus)] = { bus: a.bus, devfn: a.devfn };
  }
  mXen(tx).bus2bridge = own(tx, next);
}

export function dispatch2(tx: Tx, c: Engine2Command): void {
  switch (c.type) {
    case 'dom0.pci.remove':
      return dom0PciRemove(tx, reqString(c, 'bdf'));
    case 'dom0.pci.rescan':
      return dom0PciRescan(tx);
    case 'xen.debug.bus2bridge':
      return xenDebugBus2bridge(tx, c);
    case 'guest.schedule':
      return guestSchedule(tx, reqString(c, 'domain'), c.order);
    case 'guest.driver.reset':
      return guestDriverReset(tx, reqString(c, 'domain'), reqString(c, 'bdf'));
    case 'guest.pci.write': {
      const size = reqInt(c, 'size', 1, 4);
      if (size === 3) fail('invalid-argument', "'size' must be 1, 2 or 4");
      const offset = reqInt(c, 'offset', 0, 255);
      if (offset % size !== 0)
        fail('invalid-argument', `offset 0x${hex(offset, 2)} is not ${size}-byte aligned`);
      return guestPciWrite(
        tx,
        reqString(c, 'domain'),
        reqString(c, 'bdf'),
        offset,
        size as 1 | 2 | 4,
        reqInt(c, 'value', 0, 0xffffffff),
      );
    }
    case 'guest.msix.write': {
      const offset = reqInt(c, 'offset', 0, 12);
      if (offset % 4 !== 0) fail('invalid-argument', "'offset' must be 0, 4, 8 or 12");
      return guestMsixWrite(
        tx,
        reqString(c, 'domain'),
        reqString(c, 'bdf'),
        reqInt(c, 'entry', 0, 2047),
        offset,
        reqInt(c, 'value', 0, 0xffffffff),
      );
    }
  }
}
