import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { BdfPipe } from '../inventory/bdf.pipe';
import { MsiDevice, MsiLedger } from './msi.models';
import { MsiService } from './msi.service';

const BDF = { description: '`0000:01:10.0`, `01:10.0` or `pci_0000_01_10_0`.' };

@Resolver()
export class MsiResolver {
  constructor(private readonly msi: MsiService) {}

  @Query(() => MsiLedger, {
    description:
      "The host's MSI vector ledger: dom0's msi list (with stale marks), the hypervisor's pirqs, MSI-X tables.",
  })
  msiLedger(@Args('host', { description: 'Host name.' }) host: string): MsiLedger {
    return this.msi.ledger(host);
  }

  @Query(() => MsiDevice, {
    description: "One device's MSI-X table, dom0 list entries and pirqs.",
  })
  msixTable(
    @Args('host', { description: 'Host name.' }) host: string,
    @Args('bdf', BDF, BdfPipe) bdf: string,
  ): MsiDevice {
    return this.msi.device(host, bdf);
  }

  @Mutation(() => MsiDevice, {
    description:
      "Prune dom0's msi list of the device (msi_prune_pci_irq_vectors): all items of a free device; only the stale ones while a domain holds it — then reboot the domain.",
  })
  pruneMsi(
    @Args('host', { description: 'Host name.' }) host: string,
    @Args('bdf', BDF, BdfPipe) bdf: string,
  ): Promise<MsiDevice> {
    return this.msi.prune(host, bdf);
  }
}
