import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { BdfPipe } from '../inventory/bdf.pipe';
import { MsiDevice, MsiLedger } from './msi.models';
import { MsiService } from './msi.service';

@ApiTags('msi')
@Controller('api/v1/hosts/:host')
export class MsiController {
  constructor(private readonly msi: MsiService) {}

  @Get('msi')
  @ApiOperation({
    summary: "The MSI vector ledger: dom0's msi list, the hypervisor's pirqs, MSI-X tables",
    description:
      'A dom0 list entry is `stale` when the hypervisor does not map its pirq to the device for the ' +
      "device's current owner (or nothing owns it): what RHBZ#688673 leaves after a PV guest reboot.",
  })
  @ApiOkResponse({ type: MsiLedger })
  @ApiNotFoundResponse({ description: 'no such host (problem+json)' })
  ledger(@Param('host') host: string): MsiLedger {
    return this.msi.ledger(host);
  }

  @Get('nodedevs/:bdf/msix')
  @ApiOperation({ summary: "One device's MSI-X table, dom0 list entries and pirqs" })
  @ApiOkResponse({ type: MsiDevice })
  @ApiBadRequestResponse({ description: 'malformed BDF (problem+json)' })
  @ApiNotFoundResponse({ description: 'no such host or device (problem+json)' })
  device(@Param('host') host: string, @Param('bdf', BdfPipe) bdf: string): MsiDevice {
    return this.msi.device(host, bdf);
  }

  @Post('nodedevs/:bdf/msi/prune')
  @HttpCode(200)
  @ApiOperation({
    summary: "Prune the device's node in dom0's msi list (msi_prune_pci_irq_vectors): the repair",
    description:
      'A free device: every item goes. A device a domain holds: only the stale items (pirqs the hypervisor no longer maps for it); reboot the domain afterwards and it maps fresh pirqs.',
  })
  @ApiOkResponse({ type: MsiDevice })
  @ApiBadRequestResponse({ description: 'malformed BDF (problem+json)' })
  @ApiNotFoundResponse({ description: 'no such host or device (problem+json)' })
  prune(@Param('host') host: string, @Param('bdf', BdfPipe) bdf: string): Promise<MsiDevice> {
    return this.msi.prune(host, bdf);
  }
}
