import { Module } from '@nestjs/common';
import { HostsModule } from '../hosts/hosts.module';
import { InventoryController } from './inventory.controller';
import { InventoryResolver } from './inventory.resolver';
import { InventoryService } from './inventory.service';

@Module({
  imports: [HostsModule],
  controllers: [InventoryController],
  providers: [InventoryService, InventoryResolver],
  exports: [InventoryService],
})
export class InventoryModule {}
