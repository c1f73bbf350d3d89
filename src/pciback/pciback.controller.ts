import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { BdfPipe } from '../inventory/bdf.pipe';
import { NodeDevice } from '../inventory/inventory.models';
import { ResetNodeDeviceDto } from './dto/reset.dto';
import { PcibackService } from './pciback.service';

@ApiTags('pciback')
@Controller('api/v1/hosts/:host')
export class PcibackController {
  constructor(private readonly pciback: PcibackService) {}

  @Post('nodedevs/:bdf/detach')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Bind the device to pciback (virsh nodedev-detach, xl pci-assignable-add)',
    description: 'Unbinds the host driver, loads pciback if needed, adds the slot and binds it.',
  })
  @ApiOkResponse({ type: NodeDevice })
  @ApiBadRequestResponse({ description: 'malformed BDF (problem+json)' })
  @ApiNotFoundResponse({ description: 'no such host or device (problem+json)' })
  @ApiConflictResponse({ description: 'a domain uses the device: device-busy (problem+json)' })
  detach(@Param('host') host: string, @Param('bdf', BdfPipe) bdf: string): Promise<NodeDevice> {
    return this.pciback.detach(host, bdf);
  }

  @Post('nodedevs/:bdf/reattach')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Give the device back to its host driver (virsh nodedev-reattach)',
    description:
      'pciback lets go (its reset runs), the slot is removed and the host driver probes.',
  })
  @ApiOkResponse({ type: NodeDevice })
  @ApiBadRequestResponse({ description: 'malformed BDF (problem+json)' })
  @ApiNotFoundResponse({ description: 'no such host or device (problem+json)' })
  @ApiConflictResponse({ description: 'a domain uses the device: device-busy (problem+json)' })
  reattach(@Param('host') host: string, @Param('bdf', BdfPipe) bdf: string): Promise<NodeDevice> {
    return this.pciback.reattach(host, bdf);
  }

  @Post('nodedevs/:bdf/reset')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reset the device (virsh nodedev-reset): `flr`, `bus` or `backdoor` (BIST)',
  })
  @ApiOkResponse({ type: NodeDevice })
  @ApiBadRequestResponse({ description: 'malformed BDF or method (problem+json)' })
  @ApiNotFoundResponse({ description: 'no such host or device (problem+json)' })
  @ApiConflictResponse({
    description: 'in use (device-busy) or the method is unsupported (reset-unsupported)',
  })
  reset(
    @Param('host') host: string,
    @Param('bdf', BdfPipe) bdf: string,
    @Body() dto: ResetNodeDeviceDto,
  ): Promise<NodeDevice> {
    return this.pciback.reset(host, bdf, dto.method);
  }

  @Get('pciback/assignable')
  @ApiOperation({
    summary: 'Devices bound to pciback and free for a guest (xl pci-assignable-list)',
  })
  @ApiOkResponse({ type: [NodeDevice] })
  @ApiNotFoundResponse({ description: 'no such host (problem+json)' })
  assignable(@Param('host') host: string): NodeDevice[] {
    return this.pciback.assignable(host);
  }
}
