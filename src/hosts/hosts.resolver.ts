import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CreateHostDto, HostClockDto, UpdateHostDto } from './dto/host.dto';
import { CatalogView, HostView } from './hosts.models';
import { HostsService } from './hosts.service';

@Resolver(() => HostView)
export class HostsResolver {
  constructor(private readonly service: HostsService) {}

  @Query(() => CatalogView, { description: 'Host templates, software profiles and changesets.' })
  catalog(): CatalogView {
    return this.service.catalog();
  }

  @Query(() => [HostView], { description: 'Every emulated host.' })
  hosts(): Promise<HostView[]> {
    return this.service.list();
  }

  @Query(() => HostView, { description: 'One host by name.' })
  host(@Args('name', { description: 'Host name.' }) name: string): Promise<HostView> {
    return this.service.get(name);
  }

  @Mutation(() => HostView, { description: 'Create an emulated host from a template.' })
  createHost(@Args('input') input: CreateHostDto): Promise<HostView> {
    return this.service.create(input);
  }

  @Mutation(() => HostView, { description: 'Change software; applied by the next host reboot.' })
  updateHost(@Args('name') name: string, @Args('input') input: UpdateHostDto): Promise<HostView> {
    return this.service.update(name, input);
  }

  @Mutation(() => Boolean, {
    description: 'Delete a host with its domains, journal and snapshots.',
  })
  async deleteHost(@Args('name') name: string): Promise<boolean> {
    return this.service.remove(name).then(() => true);
  }

  @Mutation(() => HostView, { description: 'Reboot the whole emulated machine.' })
  rebootHost(@Args('name') name: string): Promise<HostView> {
    return this.service.reboot(name);
  }

  @Mutation(() => HostView, {
    description: "Pause/resume the host's virtual clock or change its speed.",
  })
  setHostClock(@Args('name') name: string, @Args('input') input: HostClockDto): Promise<HostView> {
    return this.service.setClock(name, input);
  }
}
