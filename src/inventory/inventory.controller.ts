import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiNotAcceptableResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { BdfPipe } from './bdf.pipe';
import { LspciQuery, NodeDeviceFilter } from './dto/node-device.dto';
import { NodeDevice } from './inventory.models';
import { InventoryService } from './inventory.service';
import { Accepts, TextBodyInterceptor, type Representation, type TextBody } from './representation';

@ApiTags('node devices')
@Controller('api/v1/hosts/:host')
@UseInterceptors(TextBodyInterceptor)
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Get('nodedevs')
  @ApiOperation({
    summary: "The host's PCI functions (virsh nodedev-list --cap pci), filtered",
    description: '`cap`: `pci`, `sriov_pf`, `sriov_vf`, `bridge`; `vendor`/`device`: 4 hex digits.',
  })
  @ApiOkResponse({ type: [NodeDevice] })
  @ApiBadRequestResponse({ description: 'a bad filter value, named in the detail (problem+json)' })
  @ApiNotFoundResponse({ description: 'no such host (problem+json)' })
  list(@Param('host') host: string, @Query() filter: NodeDeviceFilter): NodeDevice[] {
    return this.inventory.list(host, filter);
  }

  @Get('nodedevs/:bdf')
  @ApiOperation({
    summary: 'One PCI function: JSON, or libvirt nodedev XML with Accept: application/xml',
    description:
      '`bdf`: `0000:01:10.0`, `01:10.0` or `pci_0000_01_10_0`. The XML is `virsh nodedev-dumpxml` ' +
      '(iommuGroup, phys_function / virt_functions, pci-express).',
  })
  @ApiProduces('application/json', 'application/xml')
  @ApiHeader({
    name: 'accept',
    required: false,
    description: 'application/json or application/xml',
  })
  @ApiOkResponse({ type: NodeDevice })
  @ApiBadRequestResponse({ description: 'malformed BDF (problem+json)' })
  @ApiNotFoundResponse({ description: 'no such host or device (problem+json)' })
  @ApiNotAcceptableResponse({ description: 'neither JSON nor XML is acceptable' })
  get(
    @Param('host') host: string,
    @Param('bdf', BdfPipe) bdf: string,
    @Accepts() as: Representation,
  ): NodeDevice | TextBody {
    return this.inventory.represent(host, bdf, as);
  }

  @Get('lspci')
  @ApiOperation({
    summary:
      'lspci text: `lspci -D` by default, `?nn=1` like `lspci -nn -D`, `?tree=1` like `lspci -tv`',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' } })
  @ApiBadRequestResponse({ description: 'bad flag value (problem+json)' })
  @ApiNotFoundResponse({ description: 'no such host (problem+json)' })
  lspci(@Param('host') host: string, @Query() q: LspciQuery): TextBody {
    return this.inventory.lspci(host, q);
  }
}
