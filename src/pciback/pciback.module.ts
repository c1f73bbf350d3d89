import { Module } from '@nestjs/common';
import { HostsModule } from '../hosts/hosts.module';
import { InventoryModule } from '../inventory/inventory.module';
import { PcibackController } from './pciback.controller';
import { PcibackResolver } from './pciback.resolver';
import { PcibackService } from './pciback.service';

@Module({
  imports: [HostsModule, InventoryModule],
  controllers: [PcibackController],
  providers: [PcibackService, PcibackResolver],
})
export class PcibackModule {}
