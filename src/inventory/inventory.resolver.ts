import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { BdfPipe } from './bdf.pipe';
import { NodeDevicesArgs } from './dto/node-device.dto';
import { NodeDevice } from './inventory.models';
import { InventoryService } from './inventory.service';

@Resolver(() => NodeDevice)
export class InventoryResolver {
  constructor(private readonly inventory: InventoryService) {}

  @Query(() => [NodeDevice], {
    description: "The host's PCI functions (lspci -D order), filtered like GET …/nodedevs.",
  })
  nodeDevices(@Args() { host, ...filter }: NodeDevicesArgs): NodeDevice[] {
    return this.inventory.list(host, filter);
  }

  @Query(() => NodeDevice, { description: 'One PCI function by address.' })
  nodeDevice(
    @Args('host', { description: 'Host name.' }) host: string,
    @Args('bdf', { description: '`0000:01:10.0`, `01:10.0` or `pci_0000_01_10_0`.' }, BdfPipe)
    bdf: string,
  ): NodeDevice {
    return this.inventory.get(host, bdf);
  }

  @ResolveField(() => String, {
    description: 'libvirt node device XML, as `virsh nodedev-dumpxml` prints it.',
  })
  xml(@Parent() device: NodeDevice): string {
    return this.inventory.xml(device);
  }
}
