import { Module } from '@nestjs/common';
import { HostsModule } from '../hosts/hosts.module';
import { LogsController } from './logs.controller';
import { LogsResolver } from './logs.resolver';
import { LogsService } from './logs.service';

@Module({
  imports: [HostsModule],
  controllers: [LogsController],
  providers: [LogsService, LogsResolver],
})
export class LogsModule {}
