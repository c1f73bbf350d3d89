// Guest workqueues and timers with a deterministic scheduler (seed 002: "the NVMe driver sets up a single
// MSIX vector for each controller (concurrently)"). Driver work (nvme reset_work, the ipr reset job) is a
// task that runs one step at a time; which runnable task steps next comes from an explicit schedule
// (guest.schedule) or else from the host's seeded PRNG. Timers (command timeouts) wake tasks when virtual
// time reaches them.
import { fail } from '../core/errors';
import { own, random32, w, type Tx } from '../core/tx';
import { advanceInterrupts, refreshIrqRows } from '../irq/delivery';
import { deviceFaultsAfterAdvance } from '../irq/faults2';
import { dk } from '../core/keys';
import { nvmeWorkStep } from './drivers/nvme';
import { iprWorkStep } from './drivers/ipr';
import { byDomid } from '../core/domtab';

export type WorkKind = 'nvme.reset' | 'ipr.reset';

export interface GuestTask {
  /** The device instance the work belongs to, as the guest names it (nvme0, host0). */
  id: string;
  domid: number;
  domain: string;
  kind: WorkKind;
  /** The guest pci_dev name. */
  dev: string;
  /** Program counter of the driver's work function. */
  step: number;
  /** Blocked on a timer until this virtual time; null: runnable. */
  wakeAt: number | null;
  /** Work-private counters (retries, vectors). */
  data: Record<string, number>;
}

export interface SchedState {
  /** By `d<domid>/<id>`. */
  tasks: Record<string, GuestTask>;
  /** queue_work() order of the keys. */
  order: string[];
  /** Remaining explicit interleaving per domain name (guest.schedule). */
  scripts: Record<string, string[]>;
  /** Earliest timer, null if none. */
  nextWake: number | null;
}

/** What one step of a work function asks for next. */
export type StepResult = { next: 'continue' } | { next: 'done' } | { next: 'sleep'; ns: number };

const MAX_STEPS = 100_000;

function wSched(tx: Tx): SchedState {
  if (!tx.s.sched) {
    tx.s.sched = own(tx, {
      tasks: own(tx, {}),
      order: own(tx, []),
      scripts: own(tx, {}),
      nextWake: null,
    });
  }
  return w(tx, tx.s, 'sched');
}

function key(domid: number, id: string): string {
  return `${dk(domid)}/${id}`;
}

/** queue_work(): the task joins the queue (a queued task is not queued twice). */
export function queueWork(
  tx: Tx,
  domid: number,
  id: string,
  kind: WorkKind,
  dev: string,
  data: Record<string, number> = {},
): void {
  const sched = wSched(tx);
  const k = key(domid, id);
  if (sched.tasks[k]) return;
  const domain = byDomid(tx.s.guests, domid)?.domain ?? '';
  w(tx, sched, 'tasks')[k] = own(tx, {
    id,
    domid,
    domain,
    kind,
    dev,
    step: 0,
    wakeAt: null,
    data: own(tx, { ...data }),
  });
  w(tx, sched, 'order').push(k);
}

/** guest.schedule: the interleaving for the domain's work from now on (tokens are task ids). */
export function setSchedule(tx: Tx, domain: string, order: unknown): void {
  if (
    !Array.isArray(order) ||
    order.some((x) => typeof x !== 'string' || x.length === 0 || x.length > 64)
  )
    fail('invalid-argument', '\'order\' must be an array of task names (e.g. "nvme0")');
  if (order.length > 10_000) fail('invalid-argument', "'order' is limited to 10000 steps");
  const sched = wSched(tx);
  w(tx, sched, 'scripts')[domain] = own(tx, (order as string[]).slice());
}

/** Drop a domain's work (the domain died): its tasks and timers go. */
export function cancelDomainWork(tx: Tx, domid: number): void {
  const sched = tx.s.sched;
  if (!sched) return;
  const prefix = `${dk(domid)}/`;
  if (!sched.order.some((k) => k.startsWith(prefix))) return;
  const ws = wSched(tx);
  const tasks = w(tx, ws, 'tasks');
  for (const k of ws.order) if (k.startsWith(prefix)) delete tasks[k];
  ws.order = own(
    tx,
    ws.order.filter((k) => !k.startsWith(prefix)),
  );
  recomputeWake(tx);
}

/** Cancel one task (its device went away). */
export function cancelWork(tx: Tx, domid: number, id: string): void {
  const k = key(domid, id);
  if (!tx.s.sched?.tasks[k]) return;
  const ws = wSched(tx);
  delete w(tx, ws, 'tasks')[k];
  ws.order = own(
    tx,
    ws.order.filter((x) => x !== k),
  );
  recomputeWake(tx);
}

function recomputeWake(tx: Tx): void {
  const s = tx.s.sched;
  if (!s) return;
  let next: number | null = null;
  for (const k of s.order) {
    const t = s.tasks[k];
    if (t.wakeAt !== null && (next === null || t.wakeAt < next)) next = t.wakeAt;
  }
  if (s.nextWake !== next) wSched(tx).nextWake = next;
}

function runnable(tx: Tx): string[] {
  const s = tx.s.sched;
  if (!s) return [];
  const now = tx.s.now;
  return s.order.filter((k) => {
    const t = s.tasks[k];
    return t.wakeAt === null || t.wakeAt <= now;
  });
}

function runStep(tx: Tx, t: GuestTask): StepResult {
  switch (t.kind) {
    case 'nvme.reset':
      return nvmeWorkStep(tx, t);
    case 'ipr.reset':
      return iprWorkStep(tx, t);
  }
}

/**
 * Pick the next task: for the domains with ready work (queue order), the head of the domain's script
 * names the task (a token naming work that is not ready is used up); with no script left, the PRNG.
 */
function pick(tx: Tx, ready: string[]): string {
  const s = tx.s.sched;
  if (s) {
    const domains: string[] = [];
    for (const k of ready)
      if (!domains.includes(s.tasks[k].domain)) domains.push(s.tasks[k].domain);
    for (const domain of domains) {
      let script = s.scripts[domain];
      if (!script || script.length === 0) continue;
      let hit: string | undefined;
      while (script.length > 0 && hit === undefined) {
        const head = script[0];
        script = script.slice(1);
        hit = ready.find((k) => s.tasks[k].domain === domain && s.tasks[k].id === head);
      }
      w(tx, wSched(tx), 'scripts')[domain] = own(tx, script);
      if (hit !== undefined) return hit;
    }
  }
  return ready.length === 1 ? ready[0] : ready[random32(tx) % ready.length];
}

/** Run the queued work until every task is done or asleep. */
export function runWork(tx: Tx): void {
  for (let n = 0; n < MAX_STEPS; n++) {
    const ready = runnable(tx);
    if (ready.length === 0) break;
    const k = pick(tx, ready);
    const t = tx.s.sched?.tasks[k];
    if (!t) break;
    if (t.wakeAt !== null) w(tx, w(tx, wSched(tx), 'tasks'), k).wakeAt = null;
    const cur = tx.s.sched?.tasks[k];
    if (!cur) continue;
    const r = runStep(tx, cur);
    if (!tx.s.sched?.tasks[k]) continue; // the step cancelled its own work
    if (r.next === 'done') {
      const ws = wSched(tx);
      delete w(tx, ws, 'tasks')[k];
      ws.order = own(
        tx,
        ws.order.filter((x) => x !== k),
      );
    } else if (r.next === 'sleep') {
      w(tx, w(tx, wSched(tx), 'tasks'), k).wakeAt = tx.s.now + r.ns;
    }
  }
  recomputeWake(tx);
}

/** Advance virtual time by `ns`, stopping at each timer on the way to run the work it wakes. */
export function advanceWithTimers(tx: Tx, ns: number): void {
  let left = ns;
  for (let guard = 0; guard < MAX_STEPS; guard++) {
    const wake = tx.s.sched?.nextWake ?? null;
    if (wake === null || wake > tx.s.now + left) break;
    const step = Math.max(0, wake - tx.s.now);
    if (step > 0) advanceInterrupts(tx, step);
    left -= step;
    runWork(tx);
    refreshIrqRows(tx); // the work may have changed which vectors have handlers
  }
  if (left > 0 || ns === 0) advanceInterrupts(tx, left);
  if (ns > 0) deviceFaultsAfterAdvance(tx);
}

/** A step that advanced its program counter and wants to go on. */
export function setStep(tx: Tx, t: GuestTask, step: number): void {
  w(tx, w(tx, wSched(tx), 'tasks'), key(t.domid, t.id)).step = step;
}

export function setTaskData(tx: Tx, t: GuestTask, name: string, value: number): void {
  w(tx, w(tx, w(tx, wSched(tx), 'tasks'), key(t.domid, t.id)), 'data')[name] = value;
}

/** The live task record (steps re-read it after acting). */
export function taskOf(tx: Tx, t: GuestTask): GuestTask {
  return tx.s.sched?.tasks[key(t.domid, t.id)] ?? t;
}

export function hasWork(tx: Tx, domid: number, id: string): boolean {
  return tx.s.sched?.tasks[key(domid, id)] !== undefined;
}
