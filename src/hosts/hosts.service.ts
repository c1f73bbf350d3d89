import { Injectable } from '@nestjs/common';
import { CHANGESETS, PROFILES, TEMPLATES, type Command, type HostState } from '../engine';
import { AppError } from '../infra/errors/app-error';
import type { BootOptionsDto, CreateHostDto, HostClockDto, UpdateHostDto } from './dto/host.dto';
import { HostRuntimeService } from './host-runtime.service';
import { HostsRepository, type HostRow } from './hosts.repository';
import type { CatalogView, HostView, PendingHostConfig } from './hosts.models';

/** `changesets` of the API: names patched on top of the profile, `-name` reverted. */
export function splitChangesets(refs: readonly string[] | undefined): {
  patch: string[];
  revert: string[];
} {
  const patch: string[] = [];
  const revert: string[] = [];
  for (const r of refs ?? []) (r.startsWith('-') ? revert : patch).push(r.replace(/^-/, ''));
  return { patch, revert };
}

function bootPatch(b: BootOptionsDto | undefined): Record<string, unknown> | undefined {
  if (!b) return undefined;
  const out: Record<string, unknown> = {};
  if (b.xen !== undefined) out.xen = b.xen;
  if (b.dom0 !== undefined) out.dom0 = b.dom0;
  if (b.modprobe !== undefined) out.modprobe = b.modprobe;
  return out;
}

@Injectable()
export class HostsService {
  constructor(
    private readonly runtime: HostRuntimeService,
    private readonly repo: HostsRepository,
  ) {}

  catalog(): CatalogView {
    return {
      templates: Object.values(TEMPLATES).map((t) => ({
        name: t.name,
        description: t.description,
        defaultProfile: t.defaultProfile,
        boot: { ...t.boot, modprobe: [...t.boot.modprobe] },
        functions: t.hardware.functions.map((f) => f.bdf),
        seeds: [...t.seeds],
      })),
      profiles: Object.values(PROFILES).map((p) => ({
        id: p.id,
        title: p.title,
        description: p.description,
        xen: p.xen,
        changesets: [...p.changesets],
      })),
      changesets: Object.values(CHANGESETS).map((c) => ({
        id: c.id,
        title: c.title,
        description: c.description,
      })),
    };
  }

  async create(dto: CreateHostDto): Promise<HostView> {
    const { patch, revert } = splitChangesets(dto.changesets);
    const template = TEMPLATES[dto.template];
    if (!template) {
      throw new AppError(
        'validation-failed',
        `unknown template '${dto.template}' (known: ${Object.keys(TEMPLATES).join(', ')})`,
      );
    }
    const command: Extract<Command, { type: 'host.create' }> = {
      type: 'host.create',
      name: dto.name,
      template: dto.template,
      ...(dto.profile ? { profile: dto.profile } : {}),
      ...(patch.length ? { patch } : {}),
      ...(revert.length ? { revert } : {}),
      ...(dto.bootOptions ? { boot: bootPatch(dto.bootOptions) } : {}),
    };
    await this.runtime.create(
      {
        name: dto.name,
        template: dto.template,
        profile: dto.profile ?? template.defaultProfile,
        changesets: dto.changesets ?? [],
        bootOptions: { ...state0Boot(template.boot), ...bootPatch(dto.bootOptions) },
      },
      command,
    );
    return this.get(dto.name);
  }

  async list(): Promise<HostView[]> {
    const rows = await this.repo.list();
    return rows.filter((r) => this.runtime.has(r.name)).map((r) => this.view(r));
  }

  async get(name: string): Promise<HostView> {
    const row = await this.repo.findByName(name);
    if (!row || !this.runtime.has(name)) throw new AppError('not-found', `no host named '${name}'`);
    return this.view(row);
  }

  /** Records new software; the next host reboot applies it (as on a real machine). */
  async update(name: string, dto: UpdateHostDto): Promise<HostView> {
    const row = await this.rowOf(name);
    const pending: Record<string, unknown> = { ...(row.pending ?? {}) };
    if (dto.profile !== undefined) {
      if (!PROFILES[dto.profile]) {
        throw new AppError(
          'validation-failed',
          `unknown profile '${dto.profile}' (known: ${Object.keys(PROFILES).join(', ')})`,
        );
      }
      pending.profile = dto.profile;
    }
    if (dto.changesets !== undefined) {
      const { patch, revert } = splitChangesets(dto.changesets);
      for (const c of [...patch, ...revert]) {
        if (!(c in CHANGESETS)) {
          throw new AppError(
            'validation-failed',
            `unknown changeset '${c}' (known: ${Object.keys(CHANGESETS).join(', ')})`,
          );
        }
      }
      pending.changesets = dto.changesets;
    }
    if (dto.bootOptions !== undefined) {
      pending.bootOptions = {
        ...(pending.bootOptions ?? {}),
        ...bootPatch(dto.bootOptions),
      };
    }
    await this.runtime.mutate(name, () => ({
      commands: [],
      changes: [{ kind: 'host.update', pending }],
    }));
    return this.get(name);
  }

  async remove(name: string): Promise<void> {
    await this.rowOf(name);
    await this.runtime.remove(name);
  }

  /** Reboots the whole emulated machine: every domain goes down; pending software takes effect. */
  async reboot(name: string): Promise<HostView> {
    const row = await this.rowOf(name);
    const p = row.pending ?? {};
    const profile = (p.profile as string | undefined) ?? row.profile;
    const changesets = (p.changesets as string[] | undefined) ?? row.changesets;
    const bootOptions = {
      ...row.bootOptions,
      ...((p.bootOptions as Record<string, unknown>) ?? {}),
    };
    const { patch, revert } = splitChangesets(changesets);
    await this.runtime.mutate(name, () => ({
      commands: [{ type: 'host.reboot', profile, patch, revert, boot: bootOptions }],
      changes: [{ kind: 'host.update', profile, changesets, bootOptions, pending: null }],
    }));
    return this.get(name);
  }

  async setClock(name: string, dto: HostClockDto): Promise<HostView> {
    await this.rowOf(name);
    await this.runtime.setClock(
      name,
      dto.running,
      dto.speed ?? this.runtime.clock(name).speed,
      dto.advanceNs ?? 0,
    );
    return this.get(name);
  }

  private async rowOf(name: string): Promise<HostRow> {
    const row = await this.repo.findByName(name);
    if (!row || !this.runtime.has(name)) throw new AppError('not-found', `no host named '${name}'`);
    return row;
  }

  private view(row: HostRow): HostView {
    const state: HostState = this.runtime.state(row.name);
    const clock = this.runtime.clock(row.name);
    const pending = row.pending as PendingHostConfig | null;
    return {
      name: row.name,
      template: row.template,
      profile: state.profile,
      changesets: row.changesets,
      effectiveChangesets: [...state.changesets],
      bootOptions: {
        xen: state.boot.xen,
        dom0: state.boot.dom0,
        modprobe: [...state.boot.modprobe],
      },
      pending: pending && Object.keys(pending).length ? pending : null,
      clock: { running: clock.running, speed: clock.speed, virtualTimeNs: String(state.now) },
      stateHash: this.runtime.hash(row.name),
      hostBoots: state.hostBoots,
      domains: Object.keys(state.domains).sort(),
    };
  }
}

function state0Boot(b: { xen: string; dom0: string; modprobe: string[] }): Record<string, unknown> {
  return { xen: b.xen, dom0: b.dom0, modprobe: [...b.modprobe] };
}
