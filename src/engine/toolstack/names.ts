// Domains are kept in a record keyed by their names. A name is looked up as an own property only: on a
// record that still has Object.prototype (a new host's, a restored snapshot's), `constructor` or
// `toString` would otherwise find JavaScript's own members.
import type { HostState } from '../core/state';
import type { DomainRecord } from './types';

/**
 * Names of Object.prototype's members: as keys of a plain record `__proto__` would not be stored at all and
 * the others would shadow JavaScript's own. xm and virsh take such names; ptlab refuses them for domains
 * and guest modules.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(
  Object.getOwnPropertyNames(Object.prototype),
);

const hasOwn = Object.prototype.hasOwnProperty;

/** The domain called `name`, or undefined. */
export function findDomain(s: HostState, name: string): DomainRecord | undefined {
  return hasOwn.call(s.domains, name) ? s.domains[name] : undefined;
}
