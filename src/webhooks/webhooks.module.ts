import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksResolver } from './webhooks.resolver';
import { WebhooksService } from './webhooks.service';

/** Webhook subscriptions and the outbox delivery worker (Standard Webhooks). */
@Module({
  imports: [EventsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhooksRepository, WebhooksResolver, WebhookDispatcher],
})
export class WebhooksModule {}
