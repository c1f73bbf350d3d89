// Which code paths the running software stack has.
import type { HostState } from '../core/state';
import type { ChangesetId } from './changesets';

export function hasChangeset(s: HostState, id: ChangesetId): boolean {
  return s.changesets.includes(id);
}
