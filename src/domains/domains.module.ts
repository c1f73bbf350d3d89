import { Module } from '@nestjs/common';
import { HostsModule } from '../hosts/hosts.module';
import { LibvirtModule } from '../libvirt/libvirt.module';
import { DomainsController } from './domains.controller';
import { DomainsResolver } from './domains.resolver';
import { DomainsService } from './domains.service';

@Module({
  imports: [HostsModule, LibvirtModule],
  controllers: [DomainsController],
  providers: [DomainsService, DomainsResolver],
  exports: [DomainsService],
})
export class DomainsModule {}
