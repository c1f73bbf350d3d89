import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  DefineDomainDto,
  HostdevFlagsQuery,
  WorkloadDto,
  AttachHostdevDto,
} from './dto/domain.dto';
import { DomainView, InterruptCounterView } from './domains.models';
import { domainBody, DomainsService } from './domains.service';

const wantsXml = (accept: string | undefined): boolean =>
  /\b(application|text)\/xml\b/.test(accept ?? '');

@ApiTags('domains')
@Controller('api/v1/hosts/:host/domains')
export class DomainsController {
  constructor(private readonly domains: DomainsService) {}

  @Post()
  @ApiOperation({
    summary:
      'Define a domain from JSON, libvirt domain XML (application/xml) or an xl.cfg (text/x-xl-config)',
    description:
      'A config with neither `type` nor `builder = "hvm"` is PV, as with xm and xl. Errors in XML or xl.cfg come with `line` and `column`.',
  })
  @ApiConsumes('application/json', 'application/xml', 'text/x-xl-config')
  @ApiBody({ type: DefineDomainDto })
  @ApiCreatedResponse({ type: DomainView })
  @ApiBadRequestResponse({
    description: 'invalid definition (problem+json with line/column or path)',
  })
  @ApiConflictResponse({ description: 'a domain with that name exists' })
  define(
    @Param('host') host: string,
    @Headers('content-type') ct: string | undefined,
    @Body() body: unknown,
  ): Promise<DomainView> {
    return this.domains.define(host, domainBody(ct, body));
  }

  @Get()
  @ApiOperation({ summary: 'List domains (virsh list --all)' })
  @ApiOkResponse({ type: [DomainView] })
  list(@Param('host') host: string): Promise<DomainView[]> {
    return this.domains.list(host);
  }

  @Get(':name')
  @ApiOperation({
    summary: 'A domain: JSON, or libvirt domain XML (virsh dumpxml) with Accept: application/xml',
  })
  @ApiProduces('application/json', 'application/xml')
  @ApiQuery({
    name: 'inactive',
    required: false,
    description: 'XML only: the persistent config without the runtime id (--inactive)',
  })
  @ApiOkResponse({ type: DomainView })
  @ApiNotFoundResponse({ description: 'no such host or domain' })
  async get(
    @Param('host') host: string,
    @Param('name') name: string,
    @Headers('accept') accept: string | undefined,
    @Query('inactive') inactive: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DomainView | string> {
    if (!wantsXml(accept)) return this.domains.get(host, name);
    void reply.header('content-type', 'application/xml; charset=utf-8');
    return this.domains.xml(host, name, inactive === '1' || inactive === 'true');
  }

  @Put(':name')
  @ApiOperation({ summary: 'Redefine a shut-off domain (same bodies as define)' })
  @ApiConsumes('application/json', 'application/xml', 'text/x-xl-config')
  @ApiBody({ type: DefineDomainDto })
  @ApiOkResponse({ type: DomainView })
  redefine(
    @Param('host') host: string,
    @Param('name') name: string,
    @Headers('content-type') ct: string | undefined,
    @Body() body: unknown,
  ): Promise<DomainView> {
    return this.domains.redefine(host, name, domainBody(ct, body));
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Undefine a domain (refused while it runs)' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'the domain is running' })
  undefine(@Param('host') host: string, @Param('name') name: string): Promise<void> {
    return this.domains.undefine(host, name);
  }

  @Post(':name/start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start (xl create / virsh start)' })
  @ApiOkResponse({ type: DomainView })
  @ApiConflictResponse({
    description: 'running already, or a device is not assignable / owned by another domain',
  })
  start(@Param('host') host: string, @Param('name') name: string): Promise<DomainView> {
    return this.domains.lifecycle(host, name, 'start');
  }

  @Post(':name/shutdown')
  @HttpCode(200)
  @ApiOperation({ summary: 'Controlled guest shutdown (xl shutdown): drivers run their .shutdown' })
  @ApiOkResponse({ type: DomainView })
  shutdown(@Param('host') host: string, @Param('name') name: string): Promise<DomainView> {
    return this.domains.lifecycle(host, name, 'shutdown');
  }

  @Post(':name/reboot')
  @HttpCode(200)
  @ApiOperation({ summary: 'Controlled guest reboot (xl reboot): shutdown path, new domain, boot' })
  @ApiOkResponse({ type: DomainView })
  reboot(@Param('host') host: string, @Param('name') name: string): Promise<DomainView> {
    return this.domains.lifecycle(host, name, 'reboot');
  }

  @Post(':name/destroy')
  @HttpCode(200)
  @ApiOperation({ summary: 'Abrupt destroy (xl destroy): the guest runs nothing' })
  @ApiOkResponse({ type: DomainView })
  destroy(@Param('host') host: string, @Param('name') name: string): Promise<DomainView> {
    return this.domains.lifecycle(host, name, 'destroy');
  }

  @Post(':name/hostdevs')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Attach a PCI device (virsh attach-device): JSON or a libvirt <hostdev> element',
    description:
      'live defaults to true for a running domain, config to true for a shut-off one. A PV guest cannot hot-attach on the RHEL-5 stack (409).',
  })
  @ApiConsumes('application/json', 'application/xml')
  @ApiBody({ type: AttachHostdevDto })
  @ApiOkResponse({ type: DomainView })
  @ApiConflictResponse({
    description: 'PV hot attach, device owned by another domain, already attached',
  })
  attach(
    @Param('host') host: string,
    @Param('name') name: string,
    @Headers('content-type') ct: string | undefined,
    @Body() body: unknown,
  ): Promise<DomainView> {
    return this.domains.attachBody(host, name, ct, body);
  }

  @Delete(':name/hostdevs/:bdf')
  @ApiOperation({
    summary: 'Detach a PCI device (virsh detach-device); ?live=&config= as in libvirt',
  })
  @ApiOkResponse({ type: DomainView })
  detach(
    @Param('host') host: string,
    @Param('name') name: string,
    @Param('bdf') bdf: string,
    @Query() q: HostdevFlagsQuery,
  ): Promise<DomainView> {
    return this.domains.detach(host, name, bdf, q);
  }

  @Post(':name/workload')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Make the guest use its devices: ping (NIC rx/tx) or io (every vector); rate 0 stops',
  })
  @ApiOkResponse({ type: [InterruptCounterView] })
  workload(
    @Param('host') host: string,
    @Param('name') name: string,
    @Body() dto: WorkloadDto,
  ): Promise<InterruptCounterView[]> {
    return this.domains.workload(host, name, dto);
  }

  @Get(':name/interrupts')
  @ApiOperation({
    summary: "Per-vector interrupt counters of the domain's devices: delivered, and lost by reason",
  })
  @ApiOkResponse({ type: [InterruptCounterView] })
  interrupts(
    @Param('host') host: string,
    @Param('name') name: string,
  ): Promise<InterruptCounterView[]> {
    return this.domains.interrupts(host, name);
  }
}
