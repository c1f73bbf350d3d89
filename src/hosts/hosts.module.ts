import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { HostRuntimeService } from './host-runtime.service';
import { HostsController } from './hosts.controller';
import { HostsRepository } from './hosts.repository';
import { HostsResolver } from './hosts.resolver';
import { HostsService } from './hosts.service';

@Module({
  imports: [EventsModule],
  controllers: [HostsController],
  providers: [HostRuntimeService, HostsRepository, HostsService, HostsResolver],
  exports: [HostRuntimeService, HostsRepository],
})
export class HostsModule {}
