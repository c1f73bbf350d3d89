import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { BdfPipe } from '../inventory/bdf.pipe';
import { NodeDevice } from '../inventory/inventory.models';
import { ResetNodeDeviceDto } from './dto/reset.dto';
import { PcibackService } from './pciback.service';

const BDF = { description: '`0000:01:10.0`, `01:10.0` or `pci_0000_01_10_0`.' };

@Resolver()
export class PcibackResolver {
  constructor(private readonly pciback: PcibackService) {}

  @Query(() => [NodeDevice], {
    description: 'Devices bound to pciback and free for a guest (xl pci-assignable-list).',
  })
  assignableDevices(@Args('host', { description: 'Host name.' }) host: string): NodeDevice[] {
    return this.pciback.assignable(host);
  }

  @Mutation(() => NodeDevice, {
    description: 'Bind a device to pciback (virsh nodedev-detach); refused while a domain uses it.',
  })
  detachNodeDevice(
    @Args('host', { description: 'Host name.' }) host: string,
    @Args('bdf', BDF, BdfPipe) bdf: string,
  ): Promise<NodeDevice> {
    return this.pciback.detach(host, bdf);
  }

  @Mutation(() => NodeDevice, {
    description: 'Give a device back to its host driver (virsh nodedev-reattach).',
  })
  reattachNodeDevice(
    @Args('host', { description: 'Host name.' }) host: string,
    @Args('bdf', BDF, BdfPipe) bdf: string,
  ): Promise<NodeDevice> {
    return this.pciback.reattach(host, bdf);
  }

  @Mutation(() => NodeDevice, {
    description: 'Reset a device (virsh nodedev-reset) by FLR, secondary bus reset or BIST.',
  })
  resetNodeDevice(
    @Args('host', { description: 'Host name.' }) host: string,
    @Args('bdf', BDF, BdfPipe) bdf: string,
    @Args('input') input: ResetNodeDeviceDto,
  ): Promise<NodeDevice> {
    return this.pciback.reset(host, bdf, input.method);
  }
}
