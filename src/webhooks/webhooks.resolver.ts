import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CreateWebhookInput, UpdateWebhookInput, WebhookDeliveriesArgs } from './dto/webhook.dto';
import {
  CreateWebhookPayload,
  WebhookDeliveryConnection,
  WebhookDeliveryView,
  WebhookView,
} from './webhooks.models';
import { WebhooksService } from './webhooks.service';

@Resolver(() => WebhookView)
export class WebhooksResolver {
  constructor(private readonly service: WebhooksService) {}

  @Query(() => [WebhookView], { description: 'Webhook subscriptions (secrets are never shown).' })
  webhooks(): Promise<WebhookView[]> {
    return this.service.list();
  }

  @Query(() => WebhookView, { description: 'One webhook subscription.' })
  webhook(
    @Args('id', { type: () => ID, description: 'Webhook id.' }) id: string,
  ): Promise<WebhookView> {
    return this.service.get(id);
  }

  @Query(() => WebhookDeliveryConnection, {
    description: "A webhook's delivery log: each delivery with its status and every attempt.",
  })
  webhookDeliveries(@Args() args: WebhookDeliveriesArgs): Promise<WebhookDeliveryConnection> {
    return this.service.deliveryConnection(args.webhookId, args.after, args.first);
  }

  @Mutation(() => CreateWebhookPayload, {
    description:
      'Subscribes a URL to events (Standard Webhooks); the secret is returned only here.',
  })
  async createWebhook(
    @Args('input', { description: 'The subscription.' }) input: CreateWebhookInput,
  ): Promise<CreateWebhookPayload> {
    return this.service.create(input).then(({ secret, ...webhook }) => ({ webhook, secret }));
  }

  @Mutation(() => WebhookView, { description: 'Changes a webhook; `active: true` re-enables it.' })
  updateWebhook(
    @Args('id', { type: () => ID, description: 'Webhook id.' }) id: string,
    @Args('input', { description: 'The changes.' }) input: UpdateWebhookInput,
  ): Promise<WebhookView> {
    return this.service.update(id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes a webhook and its delivery log.' })
  deleteWebhook(
    @Args('id', { type: () => ID, description: 'Webhook id.' }) id: string,
  ): Promise<boolean> {
    return this.service.delete(id);
  }

  @Mutation(() => WebhookDeliveryView, {
    description: 'Sends a delivery again now, with the same webhook-id and a fresh retry schedule.',
  })
  redeliverWebhookDelivery(
    @Args('webhookId', { type: () => ID, description: 'Webhook id.' }) webhookId: string,
    @Args('deliveryId', { type: () => ID, description: 'Delivery id.' }) deliveryId: string,
  ): Promise<WebhookDeliveryView> {
    return this.service.redeliver(webhookId, deliveryId);
  }
}
