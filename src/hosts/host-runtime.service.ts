// The live emulated hosts: each host's engine state in memory, rebuilt at start-up from its latest
// snapshot plus the journal tail; every change goes through mutate(), which applies engine commands
// and journals them (with their config changes and events) in one transaction before anyone sees
// the new state.
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import {
  apply,
  createHost,
  restore,
  snapshot,
  stateHash,
  STATE_SCHEMA,
  type Command,
  type EngineEvent,
  type HostState,
} from '../engine';
import type { AppendedEvents, NewEvent } from '../events/events.repository';
import { EventsService } from '../events/events.service';
import { APP_CONFIG, type AppConfig } from '../infra/config/config';
import { AppError } from '../infra/errors/app-error';
import { type ConfigChange, type HostRow, HostsRepository } from './hosts.repository';
import { toPtlabEvent } from './engine-events';

export interface HostClock {
  running: boolean;
  speed: number;
  /** Wall-clock ms and virtual ns at the last (re)anchoring. */
  anchorWallMs: number;
  anchorVirtNs: number;
}

interface Slot {
  id: string;
  name: string;
  state: HostState;
  seq: bigint;
  clock: HostClock;
  sinceSnapshot: number;
  chain: Promise<unknown>;
  hash?: { state: HostState; value: string };
  deleted: boolean;
}

export interface Mutation<T> {
  commands: Command[];
  changes?: ConfigChange[];
  /** Computed from the state after the commands. */
  result?: (state: HostState) => T;
  /** Runs once the commands are journaled, before the next command of the host. */
  onCommit?: (state: HostState) => void;
}

const MS = 1_000_000;

@Injectable()
export class HostRuntimeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HostRuntime');
  private readonly slots = new Map<string, Slot>();
  private ticker: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(
    private readonly repo: HostsRepository,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.hosts.restoreOnBoot) return;
    for (const row of await this.repo.list()) this.slots.set(row.name, await this.rebuild(row));
    if (this.config.hosts.tickMs > 0) {
      this.ticker = setInterval(() => void this.tick(), this.config.hosts.tickMs);
      this.ticker.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    await Promise.all([...this.slots.values()].map((s) => s.chain.catch(() => undefined)));
  }

  /** Rebuilds a host exactly: latest snapshot, then every journal entry after it, in order. */
  private async rebuild(row: HostRow): Promise<Slot> {
    const snap = await this.repo.latestSnapshot(row.id);
    if (!snap) throw new Error(`host ${row.name} has no snapshot`);
    let state = restore(typeof snap.state === 'string' ? snap.state : JSON.stringify(snap.state));
    let seq = snap.seq;
    let since = 0;
    for (const entry of await this.repo.journalAfter(row.id, snap.seq)) {
      state = apply(state, entry.command as Command).state;
      seq = entry.seq;
      since++;
    }
    const hash = stateHash(state);
    if (row.stateHash && hash !== row.stateHash) {
      const snapSchema = (
        (typeof snap.state === 'string' ? JSON.parse(snap.state) : snap.state) as {
          schema?: unknown;
        }
      ).schema;
      if (snapSchema !== STATE_SCHEMA) {
        // The snapshot was taken in an older shape of the state: the same state hashes differently now.
        this.logger.warn(
          `host ${row.name}: snapshot upgraded from state schema ${String(snapSchema)} to ${STATE_SCHEMA}; state hash is now ${hash}`,
        );
      } else {
        this.logger.error(
          `host ${row.name}: rebuilt state hash ${hash} differs from the journaled ${row.stateHash}`,
        );
      }
    }
    return {
      id: row.id,
      name: row.name,
      state,
      seq,
      clock: {
        running: row.clockRunning,
        speed: row.clockSpeed,
        anchorWallMs: Date.now(),
        anchorVirtNs: state.now,
      },
      sinceSnapshot: since,
      chain: Promise.resolve(),
      hash: { state, value: hash },
      deleted: false,
    };
  }

  private slot(name: string): Slot {
    const s = this.slots.get(name);
    if (!s || s.deleted) throw new AppError('not-found', `no host named '${name}'`);
    return s;
  }

  has(name: string): boolean {
    return this.slots.has(name) && !this.slots.get(name)!.deleted;
  }

  names(): string[] {
    return [...this.slots.keys()].filter((n) => !this.slots.get(n)!.deleted).sort();
  }

  /** The host's current (journaled) state. */
  state(name: string): HostState {
    return this.slot(name).state;
  }

  hash(name: string): string {
    const s = this.slot(name);
    if (!s.hash || s.hash.state !== s.state) s.hash = { state: s.state, value: stateHash(s.state) };
    return s.hash.value;
  }

  clock(name: string): HostClock {
    return { ...this.slot(name).clock };
  }

  /** Serialises work per host. */
  private serial<T>(s: Slot, fn: () => Promise<T>): Promise<T> {
    const run = s.chain.then(fn, fn);
    s.chain = run.catch(() => undefined);
    return run;
  }

  private targetNow(s: Slot, wallMs: number): number {
    if (!s.clock.running) return s.state.now;
    const target =
      s.clock.anchorVirtNs + Math.floor((wallMs - s.clock.anchorWallMs) * s.clock.speed * MS);
    return Math.max(target, s.state.now);
  }

  /** Creates a host from an engine host.create command and journals it. */
  async create(
    row: {
      name: string;
      template: string;
      profile: string;
      changesets: string[];
      bootOptions: Record<string, unknown>;
    },
    command: Extract<Command, { type: 'host.create' }>,
  ): Promise<HostState> {
    if (this.has(row.name))
      throw new AppError('already-exists', `a host named '${row.name}' already exists`);
    const { state, events } = createHost(command);
    const hash = stateHash(state);
    const { value: created } = await this.events.recordWith(
      events.map(toPtlabEvent),
      async (rows) => {
        const r = await this.repo.create(
          row,
          [{ seq: 1n, command, virtualTimeNs: BigInt(state.now) }],
          hash,
          { seq: 1n, state: JSON.parse(snapshot(state)) as unknown, stateHash: hash },
          rows,
        );
        return { value: r.host, appended: r.appended };
      },
    );
    this.slots.set(row.name, {
      id: created.id,
      name: row.name,
      state,
      seq: 1n,
      clock: { running: true, speed: 1, anchorWallMs: Date.now(), anchorVirtNs: state.now },
      sinceSnapshot: 0,
      chain: Promise.resolve(),
      hash: { state, value: hash },
      deleted: false,
    });
    return state;
  }

  async remove(name: string): Promise<void> {
    const s = this.slot(name);
    await this.serial(s, async () => {
      await this.repo.delete(s.id);
      s.deleted = true;
      this.slots.delete(name);
    });
  }

  /**
   * Applies commands to a host: first the clock's advance to now, then `m.commands`; journals them
   * with `m.changes` and their events (through EventsService, with webhook outbox rows) in one
   * transaction; only then does the new state become visible and are the events published. An
   * EngineError or a failed transaction changes nothing and publishes nothing.
   */
  async mutate<T = void>(name: string, build: (state: HostState) => Mutation<T>): Promise<T> {
    const s = this.slot(name);
    return this.serial(s, async () => {
      if (s.deleted) throw new AppError('not-found', `no host named '${name}'`);
      const now = this.targetNow(s, Date.now());
      const commands: Command[] = [];
      let state = s.state;
      const events: EngineEvent[] = [];
      if (now > state.now) {
        const adv: Command = { type: 'advance', ns: now - state.now };
        const r = apply(state, adv);
        state = r.state;
        events.push(...r.events);
        commands.push(adv);
      }
      const m = build(state);
      for (const c of m.commands) {
        const r = apply(state, c);
        state = r.state;
        events.push(...r.events);
        commands.push(c);
      }
      await this.events.recordWith(events.map(toPtlabEvent), async (rows) => {
        const appended = await this.commit(s, state, commands, m.changes ?? [], rows);
        m.onCommit?.(state);
        return { value: undefined, appended };
      });
      return m.result ? m.result(state) : (undefined as T);
    });
  }

  /** Pauses or resumes the host's virtual clock, or changes its speed (journaled as a config change). */
  async setClock(name: string, running: boolean, speed: number, advanceNs = 0): Promise<HostClock> {
    const s = this.slot(name);
    await this.mutate(name, () => ({
      commands: advanceNs > 0 ? [{ type: 'advance', ns: advanceNs }] : [],
      changes: [{ kind: 'host.update', clockRunning: running, clockSpeed: speed }],
      onCommit: (state) => {
        s.clock = { running, speed, anchorWallMs: Date.now(), anchorVirtNs: state.now };
      },
    }));
    return { ...s.clock };
  }

  private async commit(
    s: Slot,
    state: HostState,
    commands: Command[],
    changes: ConfigChange[],
    events: NewEvent[],
  ): Promise<AppendedEvents> {
    if (commands.length === 0 && changes.length === 0 && events.length === 0) {
      return { events: [], deliveries: 0 };
    }
    const entries = commands.map((command, i) => ({
      seq: s.seq + BigInt(i + 1),
      command,
      virtualTimeNs: BigInt(state.now),
    }));
    const hash = stateHash(state);
    const takeSnapshot = s.sinceSnapshot + commands.length >= this.config.hosts.snapshotEvery;
    const lastSeq = entries.at(-1)?.seq ?? s.seq;
    const appended = await this.repo.commit({
      hostId: s.id,
      expectSeq: s.seq,
      entries,
      stateHash: hash,
      changes,
      snapshot: takeSnapshot
        ? { seq: lastSeq, state: JSON.parse(snapshot(state)) as unknown, stateHash: hash }
        : undefined,
      events,
    });
    s.state = state;
    s.seq = lastSeq;
    s.hash = { state, value: hash };
    s.sinceSnapshot = takeSnapshot ? 0 : s.sinceSnapshot + commands.length;
    return appended;
  }

  /** Advances every running clock to the wall clock (journaled), so interrupts stream live. */
  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await Promise.all(
        [...this.slots.values()]
          .filter((s) => !s.deleted && s.clock.running && hasActiveWork(s.state))
          .map((s) =>
            this.mutate(s.name, () => ({ commands: [] })).catch((err: unknown) =>
              this.logger.warn(`tick ${s.name}: ${String(err)}`),
            ),
          ),
      );
    } finally {
      this.ticking = false;
    }
  }
}

/** Something in the host raises interrupts, so advancing its clock produces observable counters. */
function hasActiveWork(state: HostState): boolean {
  return state.irq.rows.some((r) => r.live && r.rate > 0);
}
