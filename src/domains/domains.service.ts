import { Injectable } from '@nestjs/common';
import { validate } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import {
  getDomain,
  interruptCounters,
  listDomains,
  msixTable,
  type Command,
  type DomainDefinition,
  type DomainInfo,
} from '../engine';
import { HostRuntimeService } from '../hosts/host-runtime.service';
import {
  HostsRepository,
  type ConfigChange,
  type DomainConfigRow,
} from '../hosts/hosts.repository';
import { AppError } from '../infra/errors/app-error';
import {
  emitDomainXml,
  normalizeBdf,
  normalizeDomainConfig,
  parseDomainXml,
  parseHostdevXml,
  parseXlConfig,
  type DomainConfigInput,
  type HostdevConfig,
} from '../libvirt';
import { AttachHostdevDto, DefineDomainDto, WorkloadDto } from './dto/domain.dto';
import type { DomainView, InterruptCounterView } from './domains.models';

export type DomainBody =
  { kind: 'json'; body: unknown } | { kind: 'xml'; text: string } | { kind: 'xl'; text: string };

export type LifecycleVerb = 'start' | 'shutdown' | 'reboot' | 'destroy';

const XL_MEDIA = ['text/x-xl-config', 'text/plain'];
const XML_MEDIA = ['application/xml', 'text/xml'];

/** Classifies a request body by its media type (the transport's only decision). */
export function domainBody(contentType: string | undefined, body: unknown): DomainBody {
  const media = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (media === 'application/json') return { kind: 'json', body };
  if (XML_MEDIA.includes(media)) return { kind: 'xml', text: bodyText(body) };
  if (XL_MEDIA.includes(media)) return { kind: 'xl', text: bodyText(body) };
  throw new AppError(
    'unsupported-media-type',
    `unsupported Content-Type '${media}': send application/json, application/xml (libvirt domain XML) or text/x-xl-config (xl.cfg)`,
  );
}

/** Text bodies (XML, xl.cfg) arrive as strings from the content-type parser. */
function bodyText(body: unknown): string {
  return typeof body === 'string' ? body : '';
}

function toEngineDefinition(c: DomainConfigInput): DomainDefinition {
  const action = (
    field: string,
    v: string | undefined,
    allowed: readonly string[],
    dflt: string,
  ): string => {
    const value = v ?? dflt;
    if (!allowed.includes(value)) {
      throw new AppError(
        'validation-failed',
        `${field}: '${value}' is not supported by the emulated toolstack (use ${allowed.join(' or ')})`,
      );
    }
    return value;
  };
  action('onPoweroff', c.onPoweroff, ['destroy'], 'destroy');
  return {
    name: c.name,
    type: c.type,
    memory: c.memoryMiB,
    vcpus: c.vcpus,
    hostdevs: c.hostdevs.map((h) => ({ bdf: h.bdf, managed: h.seize === true })),
    onReboot: action('onReboot', c.onReboot, ['restart', 'destroy'], 'restart') as
      'restart' | 'destroy',
    onCrash: action('onCrash', c.onCrash, ['restart', 'destroy'], 'destroy') as
      'restart' | 'destroy',
    autostart: c.autostart ?? false,
  };
}

function configRow(c: DomainConfigInput): DomainConfigRow {
  return {
    name: c.name,
    type: c.type,
    config: c as unknown as Record<string, unknown>,
    autostart: c.autostart ?? false,
    hostdevs: c.hostdevs.map(({ bdf, ...options }) => ({ bdf, options })),
  };
}

function bdfOf(text: string): string {
  const bdf = normalizeBdf(text);
  if (!bdf)
    throw new AppError(
      'validation-failed',
      `invalid PCI address '${text}': expected [DDDD:]BB:DD.F`,
    );
  return bdf;
}

function flag(v: string | undefined): boolean | undefined {
  return v === undefined ? undefined : v === 'true' || v === '1';
}

@Injectable()
export class DomainsService {
  /** The API's domain configs (kernel, hostdev options …) per host, cached; Postgres holds them. */
  private readonly configs = new Map<string, Map<string, DomainConfigInput>>();

  constructor(
    private readonly runtime: HostRuntimeService,
    private readonly repo: HostsRepository,
  ) {}

  private async hostConfigs(host: string): Promise<Map<string, DomainConfigInput>> {
    let m = this.configs.get(host);
    if (!m) {
      const row = await this.repo.findByName(host);
      if (!row || !this.runtime.has(host))
        throw new AppError('not-found', `no host named '${host}'`);
      m = new Map(
        (await this.repo.domains(row.id)).map((d) => [
          d.name,
          d.config as unknown as DomainConfigInput,
        ]),
      );
      this.configs.set(host, m);
    }
    return m;
  }

  /** Decodes JSON, libvirt domain XML or xl.cfg into the canonical config (4xx with line/column on error). */
  async decode(body: DomainBody): Promise<DomainConfigInput> {
    switch (body.kind) {
      case 'xml':
        return parseDomainXml(body.text).config;
      case 'xl':
        return parseXlConfig(body.text).config;
      case 'json': {
        if (typeof body.body !== 'object' || body.body === null || Array.isArray(body.body)) {
          throw new AppError(
            'validation-failed',
            'the body must be a JSON object (a domain definition)',
          );
        }
        const dto = plainToInstance(DefineDomainDto, body.body);
        const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
        if (errors.length > 0) {
          const messages = errors.flatMap((e) => flattenErrors(e.property, e));
          throw new AppError('validation-failed', messages.join('; '), { errors: messages });
        }
        return normalizeDomainConfig(body.body as DomainConfigInput);
      }
    }
  }

  async define(host: string, body: DomainBody): Promise<DomainView> {
    const config = await this.decode(body);
    const configs = await this.hostConfigs(host);
    const def = toEngineDefinition(config);
    await this.runtime.mutate(host, () => ({
      commands: [{ type: 'domain.define', config: def }],
      changes: [{ kind: 'domain.put', domain: configRow(config) }],
    }));
    configs.set(config.name, config);
    return this.get(host, config.name);
  }

  /** PUT: redefine a shut-off domain (libvirt applies a running domain's new config at next boot; here: shut it down first). */
  async redefine(host: string, name: string, body: DomainBody): Promise<DomainView> {
    const config = await this.decode(body);
    if (config.name !== name) {
      throw new AppError(
        'validation-failed',
        `the body names domain '${config.name}' but the URL names '${name}'`,
      );
    }
    const configs = await this.hostConfigs(host);
    const def = toEngineDefinition(config);
    await this.runtime.mutate(host, (state) => {
      const existing = state.domains[name];
      if (!existing) throw new AppError('not-found', `no domain named '${name}' on host '${host}'`);
      if (existing.state === 'running') {
        throw new AppError(
          'conflict',
          `Domain '${name}' is running; shut it down before redefining it`,
        );
      }
      return {
        commands: [
          { type: 'domain.undefine', domain: name },
          { type: 'domain.define', config: def },
        ],
        changes: [{ kind: 'domain.put', domain: configRow(config) }],
      };
    });
    configs.set(name, config);
    return this.get(host, name);
  }

  async undefine(host: string, name: string): Promise<void> {
    const configs = await this.hostConfigs(host);
    await this.runtime.mutate(host, () => ({
      commands: [{ type: 'domain.undefine', domain: name }],
      changes: [{ kind: 'domain.delete', name }],
    }));
    configs.delete(name);
  }

  async list(host: string): Promise<DomainView[]> {
    const configs = await this.hostConfigs(host);
    const state = this.runtime.state(host);
    return listDomains(state).map((d) => this.view(d, configs.get(d.name)));
  }

  async get(host: string, name: string): Promise<DomainView> {
    const configs = await this.hostConfigs(host);
    const state = this.runtime.state(host);
    return this.view(getDomain(state, name), configs.get(name));
  }

  /** libvirt domain XML (`virsh dumpxml`); `inactive` like `--inactive`. */
  async xml(host: string, name: string, inactive = false): Promise<string> {
    const configs = await this.hostConfigs(host);
    const state = this.runtime.state(host);
    const d = getDomain(state, name);
    const config = this.configOf(d, configs.get(name));
    return emitDomainXml(
      {
        config,
        runtime:
          d.domid !== null && d.state !== 'shutoff'
            ? { id: d.domid, state: d.state === 'crashed' ? 'crashed' : 'running' }
            : undefined,
      },
      { inactive },
    );
  }

  async lifecycle(host: string, name: string, verb: LifecycleVerb): Promise<DomainView> {
    await this.hostConfigs(host);
    const type = `domain.${verb}` as const;
    await this.runtime.mutate(host, () => ({ commands: [{ type, domain: name }] }));
    return this.get(host, name);
  }

  async attach(
    host: string,
    name: string,
    input: { hostdev: HostdevConfig; live?: boolean; config?: boolean },
  ): Promise<DomainView> {
    const configs = await this.hostConfigs(host);
    const bdf = bdfOf(input.hostdev.bdf);
    const hostdev: HostdevConfig = { ...input.hostdev, bdf };
    let newConfig: DomainConfigInput | undefined;
    await this.runtime.mutate(host, (state) => {
      const d = getDomain(state, name);
      const running = d.state === 'running';
      const live = input.live ?? running;
      const config = input.config ?? !running;
      const changes: ConfigChange[] = [];
      if (config) {
        const current = this.configOf(d, configs.get(name));
        newConfig = { ...current, hostdevs: [...current.hostdevs, hostdev] };
        changes.push({ kind: 'domain.put', domain: configRow(newConfig) });
      }
      return {
        commands: [
          {
            type: 'domain.attach-hostdev',
            domain: name,
            hostdev: { bdf, managed: hostdev.seize === true },
            live,
            config,
          },
        ],
        changes,
      };
    });
    if (newConfig) configs.set(name, newConfig);
    return this.get(host, name);
  }

  async detach(
    host: string,
    name: string,
    bdfText: string,
    flags: { live?: string; config?: string },
  ): Promise<DomainView> {
    const configs = await this.hostConfigs(host);
    const bdf = bdfOf(bdfText);
    let newConfig: DomainConfigInput | undefined;
    await this.runtime.mutate(host, (state) => {
      const d = getDomain(state, name);
      const running = d.state === 'running';
      const live = flag(flags.live) ?? running;
      const config = flag(flags.config) ?? !running;
      const changes: ConfigChange[] = [];
      if (config) {
        const current = this.configOf(d, configs.get(name));
        newConfig = { ...current, hostdevs: current.hostdevs.filter((h) => h.bdf !== bdf) };
        changes.push({ kind: 'domain.put', domain: configRow(newConfig) });
      }
      return {
        commands: [{ type: 'domain.detach-hostdev', domain: name, bdf, live, config }],
        changes,
      };
    });
    if (newConfig) configs.set(name, newConfig);
    return this.get(host, name);
  }

  /** A hostdev body: JSON or a libvirt `<hostdev>` element (virsh attach-device). */
  async attachBody(
    host: string,
    name: string,
    contentType: string | undefined,
    body: unknown,
  ): Promise<DomainView> {
    const media = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
    if (XML_MEDIA.includes(media)) {
      const h = parseHostdevXml(bodyText(body));
      const hostdev: HostdevConfig = {
        bdf: h.bdf,
        ...(h.permissive !== undefined ? { permissive: h.permissive } : {}),
        ...(h.managed !== undefined ? { seize: h.managed } : {}),
      };
      return this.attach(host, name, { hostdev });
    }
    if (media !== 'application/json') {
      throw new AppError(
        'unsupported-media-type',
        `unsupported Content-Type '${media}': send application/json or application/xml (<hostdev>)`,
      );
    }
    const dto = plainToInstance(AttachHostdevDto, body ?? {});
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) {
      const messages = errors.flatMap((e) => flattenErrors(e.property, e));
      throw new AppError('validation-failed', messages.join('; '), { errors: messages });
    }
    const { live, config, ...hostdev } = dto;
    return this.attach(host, name, { hostdev: { ...hostdev }, live, config });
  }

  /** Starts (or stops, rate 0) a workload in the guest. */
  async workload(host: string, name: string, dto: WorkloadDto): Promise<InterruptCounterView[]> {
    await this.hostConfigs(host);
    const rate = dto.rate ?? 1000;
    await this.runtime.mutate(host, (state) => {
      const d = getDomain(state, name);
      if (dto.kind === 'ping') return { commands: [{ type: 'workload.ping', domain: name, rate }] };
      const commands: Command[] = [];
      for (const bdf of d.liveHostdevs) {
        const table = msixTable(state, bdf);
        for (const e of table.entries)
          commands.push({ type: 'workload.irq', domain: name, bdf, entry: e.entry, rate });
      }
      if (commands.length === 0)
        throw new AppError(
          'conflict',
          `Domain '${name}' has no passed-through device with MSI-X to drive`,
        );
      return { commands };
    });
    return this.interrupts(host, name);
  }

  async interrupts(host: string, name: string): Promise<InterruptCounterView[]> {
    await this.hostConfigs(host);
    const state = this.runtime.state(host);
    getDomain(state, name);
    return interruptCounters(state, { domain: name }).map((c) => ({ ...c, lost: { ...c.lost } }));
  }

  /** The stored API config, or one derived from the engine's record (domains defined by other means). */
  private configOf(d: DomainInfo, stored: DomainConfigInput | undefined): DomainConfigInput {
    if (stored) return stored;
    return {
      name: d.name,
      type: d.type,
      memoryMiB: d.memory,
      vcpus: d.vcpus,
      hostdevs: d.hostdevs.map((h) => ({ bdf: h.bdf, ...(h.managed ? { seize: true } : {}) })),
      onReboot: d.onReboot as DomainConfigInput['onReboot'],
      onCrash: d.onCrash as DomainConfigInput['onCrash'],
      autostart: d.autostart,
      uuid: d.uuid,
    };
  }

  private view(d: DomainInfo, stored: DomainConfigInput | undefined): DomainView {
    const c = this.configOf(d, stored);
    const byBdf = new Map(c.hostdevs.map((h) => [h.bdf, h]));
    return {
      name: d.name,
      uuid: c.uuid ?? d.uuid,
      type: d.type,
      id: d.domid,
      state: d.state,
      reason: d.reason,
      memoryMiB: d.memory,
      vcpus: d.vcpus,
      ...(c.kernel ? { kernel: c.kernel } : {}),
      onReboot: d.onReboot,
      onPoweroff: c.onPoweroff ?? 'destroy',
      onCrash: d.onCrash,
      autostart: d.autostart,
      boots: d.boots,
      hostdevs: [...new Set([...d.hostdevs.map((h) => h.bdf), ...d.liveHostdevs])].map((bdf) => ({
        ...(byBdf.get(bdf) ?? { bdf }),
        bdf,
        live: d.liveHostdevs.includes(bdf),
      })),
      netdevs: (d.guest?.netdevs ?? []).map((n) => ({
        name: n.name,
        hostBdf: n.hostBdf,
        up: n.up,
        configured: n.configured,
      })),
    };
  }
}

function flattenErrors(
  path: string,
  e: {
    constraints?: Record<string, string>;
    children?: { property: string; constraints?: Record<string, string>; children?: unknown[] }[];
  },
): string[] {
  const own = Object.values(e.constraints ?? {}).map((m) =>
    m.startsWith(path) ? m : `${path}: ${m}`,
  );
  const nested = (e.children ?? []).flatMap((c) =>
    flattenErrors(`${path}.${c.property}`, c as never),
  );
  return [...own, ...nested];
}
