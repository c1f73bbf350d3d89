// The record copies of copy-on-write (core/copy.ts) are shallow copies with exactly the original's keys, in
// its order — including every optional field, which the records with optional fields detect with literal
// names rather than their lists.
import { apply, createHost } from '../host';
import type { Command } from '../commands';
import type { HostState } from './state';
import {
  GUEST_OPTIONAL,
  HOST_OPTIONAL,
  PDEV_OPTIONAL,
  XEN_DOMAIN_OPTIONAL,
  XEN_OPTIONAL,
  copyGuest,
  copyHostState,
  copyPdev,
  copyXen,
  copyXenDomain,
} from './copy';

function host(): HostState {
  let s = createHost({
    type: 'host.create',
    template: 'rhbz688673',
    profile: 'rhel5-2.6.18-283',
  }).state;
  const commands: Command[] = [
    { type: 'dom0.driver.unbind', bdf: '0000:01:10.0' },
    { type: 'pciback.load', hide: '(0000:01:10.0)' },
    { type: 'domain.define', config: { name: 'pv', type: 'pv', hostdevs: ['0000:01:10.0'] } },
    { type: 'domain.start', domain: 'pv' },
  ];
  for (const c of commands) {
    s = apply(s, c).state;
  }
  return s;
}

function expectSameShallow(copy: object, original: object): void {
  expect(copy).not.toBe(original);
  expect(Object.keys(copy)).toEqual(Object.keys(original));
  for (const k of Object.keys(original)) {
    expect((copy as Record<string, unknown>)[k]).toBe((original as Record<string, unknown>)[k]);
  }
}

describe('record copies', () => {
  const s = host();
  const pdevKey = Object.keys(s.xen.pdevs)[0];
  const cases: [string, object, readonly string[], (o: never) => object][] = [
    ['host', s, HOST_OPTIONAL, copyHostState],
    ['xen', s.xen, XEN_OPTIONAL, copyXen],
    ['xen domain', s.xen.domains[1], XEN_DOMAIN_OPTIONAL, copyXenDomain],
    ['pdev', s.xen.pdevs[pdevKey], PDEV_OPTIONAL, copyPdev],
    ['guest', s.guests[0], GUEST_OPTIONAL, copyGuest],
  ];

  it.each(cases)(
    '%s: a copy has the same keys, in order, and the same values',
    (_, o, _l, copy) => {
      expectSameShallow(copy(o as never), o);
    },
  );

  it.each(cases)('%s: every optional field is carried over', (_, o, optional, copy) => {
    expect(optional.length).toBeGreaterThan(0);
    const without: Record<string, unknown> = { ...o };
    for (const key of optional) delete without[key];
    for (const key of optional) {
      // Only this one optional field is present: its literal check alone must send the copy down the
      // path that keeps it.
      const withField = { ...without, [key]: { marker: key } };
      expectSameShallow(copy(withField as never), withField);
    }
  });
});
