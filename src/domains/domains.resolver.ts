import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AppError } from '../infra/errors/app-error';
import { AttachHostdevDto, DefineDomainDto, WorkloadDto } from './dto/domain.dto';
import { DomainView, InterruptCounterView } from './domains.models';
import { DomainsService, type DomainBody } from './domains.service';

function oneBody(input: unknown, xml?: string, xlConfig?: string): DomainBody {
  const given = [input, xml, xlConfig].filter((x) => x !== undefined && x !== null).length;
  if (given !== 1)
    throw new AppError(
      'validation-failed',
      'give exactly one of input, xml (libvirt domain XML) or xlConfig (xl.cfg text)',
    );
  if (xml !== undefined && xml !== null) return { kind: 'xml', text: xml };
  if (xlConfig !== undefined && xlConfig !== null) return { kind: 'xl', text: xlConfig };
  return { kind: 'json', body: input };
}

@Resolver(() => DomainView)
export class DomainsResolver {
  constructor(private readonly service: DomainsService) {}

  @Query(() => [DomainView], { description: 'Domains of a host (virsh list --all).' })
  domains(@Args('host') host: string): Promise<DomainView[]> {
    return this.service.list(host);
  }

  @Query(() => DomainView, { description: 'One domain.' })
  domain(@Args('host') host: string, @Args('name') name: string): Promise<DomainView> {
    return this.service.get(host, name);
  }

  @Query(() => String, { description: 'libvirt domain XML (virsh dumpxml).' })
  domainXml(
    @Args('host') host: string,
    @Args('name') name: string,
    @Args('inactive', { nullable: true, defaultValue: false }) inactive: boolean,
  ): Promise<string> {
    return this.service.xml(host, name, inactive);
  }

  @Query(() => [InterruptCounterView], {
    description: "Per-vector interrupt counters of a domain's devices.",
  })
  domainInterrupts(
    @Args('host') host: string,
    @Args('name') name: string,
  ): Promise<InterruptCounterView[]> {
    return this.service.interrupts(host, name);
  }

  @Mutation(() => DomainView, {
    description:
      'Define a domain from exactly one of: input (JSON), xml (libvirt domain XML), xlConfig (xl.cfg).',
  })
  defineDomain(
    @Args('host') host: string,
    // Typed `unknown` so the global pipe leaves it alone when absent; the service validates it.
    @Args('input', { nullable: true, type: () => DefineDomainDto }) input: unknown,
    @Args('xml', { nullable: true, type: () => String }) xml?: string,
    @Args('xlConfig', { nullable: true, type: () => String }) xlConfig?: string,
  ): Promise<DomainView> {
    return this.service.define(host, oneBody(input, xml, xlConfig));
  }

  @Mutation(() => Boolean, { description: 'Undefine a shut-off domain.' })
  undefineDomain(@Args('host') host: string, @Args('name') name: string): Promise<boolean> {
    return this.service.undefine(host, name).then(() => true);
  }

  @Mutation(() => DomainView, { description: 'Start a domain (xl create / virsh start).' })
  startDomain(@Args('host') host: string, @Args('name') name: string): Promise<DomainView> {
    return this.service.lifecycle(host, name, 'start');
  }

  @Mutation(() => DomainView, { description: 'Controlled guest shutdown.' })
  shutdownDomain(@Args('host') host: string, @Args('name') name: string): Promise<DomainView> {
    return this.service.lifecycle(host, name, 'shutdown');
  }

  @Mutation(() => DomainView, { description: 'Controlled guest reboot.' })
  rebootDomain(@Args('host') host: string, @Args('name') name: string): Promise<DomainView> {
    return this.service.lifecycle(host, name, 'reboot');
  }

  @Mutation(() => DomainView, { description: 'Abrupt destroy.' })
  destroyDomain(@Args('host') host: string, @Args('name') name: string): Promise<DomainView> {
    return this.service.lifecycle(host, name, 'destroy');
  }

  @Mutation(() => DomainView, { description: 'Attach a PCI device (live and/or config).' })
  attachHostdev(
    @Args('host') host: string,
    @Args('name') name: string,
    @Args('input') input: AttachHostdevDto,
  ): Promise<DomainView> {
    return this.service.attachBody(host, name, 'application/json', input);
  }

  @Mutation(() => DomainView, { description: 'Detach a PCI device (live and/or config).' })
  detachHostdev(
    @Args('host') host: string,
    @Args('name') name: string,
    @Args('bdf') bdf: string,
    @Args('live', { nullable: true, type: () => Boolean }) live?: boolean,
    @Args('config', { nullable: true, type: () => Boolean }) config?: boolean,
  ): Promise<DomainView> {
    return this.service.detach(host, name, bdf, {
      live: live === undefined || live === null ? undefined : String(live),
      config: config === undefined || config === null ? undefined : String(config),
    });
  }

  @Mutation(() => [InterruptCounterView], {
    description: 'Start or stop (rate 0) a workload in the guest.',
  })
  setWorkload(
    @Args('host') host: string,
    @Args('name') name: string,
    @Args('input') input: WorkloadDto,
  ): Promise<InterruptCounterView[]> {
    return this.service.workload(host, name, input);
  }
}
