import { Module } from '@nestjs/common';
import { HostsModule } from '../hosts/hosts.module';
import { MsiController } from './msi.controller';
import { MsiResolver } from './msi.resolver';
import { MsiService } from './msi.service';

@Module({
  imports: [HostsModule],
  controllers: [MsiController],
  providers: [MsiService, MsiResolver],
})
export class MsiModule {}
