// The only place the hosts, journal, snapshots and their config rows meet Prisma.
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../infra/database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { EventsRepository, type AppendedEvents, type NewEvent } from '../events/events.repository';

export interface HostRow {
  id: string;
  name: string;
  template: string;
  profile: string;
  changesets: string[];
  bootOptions: Record<string, unknown>;
  pending: Record<string, unknown> | null;
  clockRunning: boolean;
  clockSpeed: number;
  journalSeq: bigint;
  stateHash: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface JournalRow {
  seq: bigint;
  command: unknown;
  virtualTimeNs: bigint;
}

export interface SnapshotRow {
  seq: bigint;
  state: unknown;
  stateHash: string;
}

export interface DomainConfigRow {
  name: string;
  type: string;
  config: Record<string, unknown>;
  autostart: boolean;
  hostdevs: { bdf: string; options: Record<string, unknown> }[];
}

/** Config changes recorded in the same transaction as the journal entries that make them. */
export type ConfigChange =
  | {
      kind: 'host.update';
      profile?: string;
      changesets?: string[];
      bootOptions?: Record<string, unknown>;
      pending?: Record<string, unknown> | null;
      clockRunning?: boolean;
      clockSpeed?: number;
    }
  | { kind: 'domain.put'; domain: DomainConfigRow }
  | { kind: 'domain.delete'; name: string }
  | { kind: 'pciback.add'; bdf: string }
  | { kind: 'pciback.remove'; bdf: string };

export interface JournalCommit {
  hostId: string;
  /** journalSeq the host must still have (optimistic check: one writer per host). */
  expectSeq: bigint;
  entries: { seq: bigint; command: unknown; virtualTimeNs: bigint }[];
  stateHash: string;
  changes: ConfigChange[];
  snapshot?: SnapshotRow;
  /** The events the entries produced: appended (with their webhook outbox rows) in the same transaction. */
  events?: NewEvent[];
}

function toHost(r: {
  id: string;
  name: string;
  template: string;
  profile: string;
  changesets: string[];
  bootOptions: Prisma.JsonValue;
  pending: Prisma.JsonValue | null;
  clockRunning: boolean;
  clockSpeed: number;
  journalSeq: bigint;
  stateHash: string;
  createdAt: Date;
  updatedAt: Date;
}): HostRow {
  return {
    ...r,
    bootOptions: (r.bootOptions ?? {}) as Record<string, unknown>,
    pending: (r.pending ?? null) as Record<string, unknown> | null,
  };
}

const json = (v: unknown): Prisma.InputJsonValue => v as Prisma.InputJsonValue;

export class StaleJournalError extends Error {}

@Injectable()
export class HostsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly eventLog: EventsRepository,
  ) {}

  async list(): Promise<HostRow[]> {
    return (await this.prisma.host.findMany({ orderBy: { name: 'asc' } })).map(toHost);
  }

  async findByName(name: string): Promise<HostRow | undefined> {
    const r = await this.prisma.host.findUnique({ where: { name } });
    return r ? toHost(r) : undefined;
  }

  /** Creates the host row with its first journal entries (the host.create command) and snapshot. */
  async create(
    host: {
      name: string;
      template: string;
      profile: string;
      changesets: string[];
      bootOptions: Record<string, unknown>;
    },
    entries: { seq: bigint; command: unknown; virtualTimeNs: bigint }[],
    stateHash: string,
    snapshot: SnapshotRow,
    events: NewEvent[] = [],
  ): Promise<{ host: HostRow; appended: AppendedEvents }> {
    const [created, appended] = await this.prisma.$transaction(async (tx) => {
      const row = await tx.host.create({
        data: {
          name: host.name,
          template: host.template,
          profile: host.profile,
          changesets: host.changesets,
          bootOptions: json(host.bootOptions),
          journalSeq: entries.at(-1)?.seq ?? 0n,
          stateHash,
        },
      });
      await tx.journalEntry.createMany({
        data: entries.map((e) => ({
          hostId: row.id,
          seq: e.seq,
          command: json(e.command),
          virtualTimeNs: e.virtualTimeNs,
        })),
      });
      await tx.snapshot.create({
        data: {
          hostId: row.id,
          seq: snapshot.seq,
          state: json(snapshot.state),
          stateHash: snapshot.stateHash,
        },
      });
      return [row, await this.eventLog.appendWithin(tx, events)] as const;
    });
    return { host: toHost(created), appended };
  }

  async delete(id: string): Promise<void> {
    await this.prisma.host.delete({ where: { id } });
  }

  /**
   * Appends journal entries, applies their config changes and appends their events (with webhook
   * outbox rows) atomically; returns the event rows.
   */
  async commit(c: JournalCommit): Promise<AppendedEvents> {
    return this.prisma.$transaction(async (tx) => {
      const last = c.entries.at(-1)?.seq ?? c.expectSeq;
      const updated = await tx.host.updateMany({
        where: { id: c.hostId, journalSeq: c.expectSeq },
        data: { journalSeq: last, stateHash: c.stateHash },
      });
      if (updated.count !== 1)
        throw new StaleJournalError(`host ${c.hostId}: journal moved past ${c.expectSeq}`);
      if (c.entries.length > 0) {
        await tx.journalEntry.createMany({
          data: c.entries.map((e) => ({
            hostId: c.hostId,
            seq: e.seq,
            command: json(e.command),
            virtualTimeNs: e.virtualTimeNs,
          })),
        });
      }
      for (const change of c.changes) await this.applyChange(tx, c.hostId, change);
      if (c.snapshot) {
        await tx.snapshot.create({
          data: {
            hostId: c.hostId,
            seq: c.snapshot.seq,
            state: json(c.snapshot.state),
            stateHash: c.snapshot.stateHash,
          },
        });
        // Keep the two latest snapshots; the journal before the older one is no longer needed to rebuild.
        const keep = await tx.snapshot.findMany({
          where: { hostId: c.hostId },
          orderBy: { seq: 'desc' },
          take: 2,
          select: { seq: true },
        });
        const oldest = keep.at(-1)?.seq;
        if (keep.length === 2 && oldest !== undefined) {
          await tx.snapshot.deleteMany({ where: { hostId: c.hostId, seq: { lt: oldest } } });
          await tx.journalEntry.deleteMany({ where: { hostId: c.hostId, seq: { lte: oldest } } });
        }
      }
      // Last: appending takes the event-log lock, held until the commit.
      return this.eventLog.appendWithin(tx, c.events ?? []);
    });
  }

  private async applyChange(
    tx: Prisma.TransactionClient,
    hostId: string,
    change: ConfigChange,
  ): Promise<void> {
    switch (change.kind) {
      case 'host.update': {
        const { kind: _k, bootOptions, pending, ...rest } = change;
        await tx.host.update({
          where: { id: hostId },
          data: {
            ...rest,
            ...(bootOptions !== undefined ? { bootOptions: json(bootOptions) } : {}),
            ...(pending !== undefined
              ? { pending: pending === null ? Prisma.DbNull : json(pending) }
              : {}),
          },
        });
        return;
      }
      case 'domain.put': {
        const d = change.domain;
        const row = await tx.domain.upsert({
          where: { hostId_name: { hostId, name: d.name } },
          create: {
            hostId,
            name: d.name,
            type: d.type,
            config: json(d.config),
            autostart: d.autostart,
          },
          update: { type: d.type, config: json(d.config), autostart: d.autostart },
        });
        await tx.domainHostdev.deleteMany({ where: { domainId: row.id } });
        if (d.hostdevs.length > 0) {
          await tx.domainHostdev.createMany({
            data: d.hostdevs.map((h) => ({
              domainId: row.id,
              bdf: h.bdf,
              options: json(h.options),
            })),
          });
        }
        return;
      }
      case 'domain.delete':
        await tx.domain.deleteMany({ where: { hostId, name: change.name } });
        return;
      case 'pciback.add':
        await tx.pcibackSlot.upsert({
          where: { hostId_bdf: { hostId, bdf: change.bdf } },
          create: { hostId, bdf: change.bdf },
          update: {},
        });
        return;
      case 'pciback.remove':
        await tx.pcibackSlot.deleteMany({ where: { hostId, bdf: change.bdf } });
        return;
    }
  }

  async latestSnapshot(hostId: string): Promise<SnapshotRow | undefined> {
    const s = await this.prisma.snapshot.findFirst({ where: { hostId }, orderBy: { seq: 'desc' } });
    return s ? { seq: s.seq, state: s.state, stateHash: s.stateHash } : undefined;
  }

  async journalAfter(hostId: string, seq: bigint): Promise<JournalRow[]> {
    const rows = await this.prisma.journalEntry.findMany({
      where: { hostId, seq: { gt: seq } },
      orderBy: { seq: 'asc' },
    });
    return rows.map((r) => ({ seq: r.seq, command: r.command, virtualTimeNs: r.virtualTimeNs }));
  }

  async domains(hostId: string): Promise<DomainConfigRow[]> {
    const rows = await this.prisma.domain.findMany({
      where: { hostId },
      include: { hostdevs: true },
      orderBy: { name: 'asc' },
    });
    return rows.map((r) => ({
      name: r.name,
      type: r.type,
      config: r.config as Record<string, unknown>,
      autostart: r.autostart,
      hostdevs: r.hostdevs.map((h) => ({
        bdf: h.bdf,
        options: h.options as Record<string, unknown>,
      })),
    }));
  }

  async pcibackSlots(hostId: string): Promise<string[]> {
    const rows = await this.prisma.pcibackSlot.findMany({
      where: { hostId },
      orderBy: { bdf: 'asc' },
    });
    return rows.map((r) => r.bdf);
  }
}
