import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CreateHostDto, HostClockDto, UpdateHostDto } from './dto/host.dto';
import { CatalogView, HostView } from './hosts.models';
import { HostsService } from './hosts.service';

@ApiTags('hosts')
@Controller('api/v1')
export class HostsController {
  constructor(private readonly hosts: HostsService) {}

  @Get('templates')
  @ApiOperation({ summary: 'Host templates, software profiles and changesets' })
  @ApiOkResponse({ type: CatalogView })
  templates(): CatalogView {
    return this.hosts.catalog();
  }

  @Post('hosts')
  @ApiOperation({ summary: 'Create an emulated host from a template (powered on, booted)' })
  @ApiCreatedResponse({ type: HostView })
  @ApiBadRequestResponse({
    description: 'invalid body, unknown template/profile/changeset (problem+json)',
  })
  @ApiConflictResponse({ description: 'a host with that name exists (problem+json)' })
  create(@Body() dto: CreateHostDto): Promise<HostView> {
    return this.hosts.create(dto);
  }

  @Get('hosts')
  @ApiOperation({ summary: 'List hosts' })
  @ApiOkResponse({ type: [HostView] })
  list(): Promise<HostView[]> {
    return this.hosts.list();
  }

  @Get('hosts/:host')
  @ApiOperation({ summary: 'A host: software, clock, state hash, domains' })
  @ApiOkResponse({ type: HostView })
  @ApiNotFoundResponse({ description: 'no such host (problem+json)' })
  get(@Param('host') host: string): Promise<HostView> {
    return this.hosts.get(host);
  }

  @Patch('hosts/:host')
  @ApiOperation({
    summary: 'Change profile, changesets or boot options; applied by the next host reboot',
  })
  @ApiOkResponse({ type: HostView })
  update(@Param('host') host: string, @Body() dto: UpdateHostDto): Promise<HostView> {
    return this.hosts.update(host, dto);
  }

  @Delete('hosts/:host')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a host with its domains, journal and snapshots' })
  @ApiNoContentResponse()
  remove(@Param('host') host: string): Promise<void> {
    return this.hosts.remove(host);
  }

  @Post('hosts/:host/reboot')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reboot the whole emulated machine: every domain goes down as the host does',
  })
  @ApiOkResponse({ type: HostView })
  reboot(@Param('host') host: string): Promise<HostView> {
    return this.hosts.reboot(host);
  }

  @Post('hosts/:host/clock')
  @HttpCode(200)
  @ApiOperation({ summary: "Pause or resume the host's virtual clock, or change its speed" })
  @ApiOkResponse({ type: HostView })
  clock(@Param('host') host: string, @Body() dto: HostClockDto): Promise<HostView> {
    return this.hosts.setClock(host, dto);
  }
}
