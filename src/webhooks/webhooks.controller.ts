import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CreateWebhookInput, ListDeliveriesQuery, UpdateWebhookInput } from './dto/webhook.dto';
import {
  CreatedWebhookView,
  WebhookDeliveryPage,
  WebhookDeliveryView,
  WebhookView,
} from './webhooks.models';
import { WebhooksService } from './webhooks.service';

const uuid = new ParseUUIDPipe();

@ApiTags('webhooks')
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: 'Subscribe a URL to events (Standard Webhooks)',
    description:
      'Deliveries are POSTed with `webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,` + base64 HMAC-SHA256 ' +
      'over `id.timestamp.body` with the key bytes of the `whsec_` secret); the body is `{ type, timestamp, data }`. ' +
      'The secret is generated when omitted and returned only here.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookView })
  @ApiBadRequestResponse({ description: 'invalid URL, event globs or secret (problem+json)' })
  create(@Body() body: CreateWebhookInput): Promise<CreatedWebhookView> {
    return this.webhooks.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List webhooks (secrets are never shown)' })
  @ApiOkResponse({ type: [WebhookView] })
  list(): Promise<WebhookView[]> {
    return this.webhooks.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a webhook' })
  @ApiOkResponse({ type: WebhookView })
  @ApiNotFoundResponse({ description: 'no such webhook (problem+json)' })
  get(@Param('id', uuid) id: string): Promise<WebhookView> {
    return this.webhooks.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a webhook; `active: true` re-enables a disabled one' })
  @ApiOkResponse({ type: WebhookView })
  @ApiNotFoundResponse({ description: 'no such webhook (problem+json)' })
  update(@Param('id', uuid) id: string, @Body() body: UpdateWebhookInput): Promise<WebhookView> {
    return this.webhooks.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook and its delivery log' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiNotFoundResponse({ description: 'no such webhook (problem+json)' })
  async delete(@Param('id', uuid) id: string): Promise<void> {
    await this.webhooks.delete(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: 'The delivery log: each delivery with status and every attempt (status code, error)',
  })
  @ApiOkResponse({ type: WebhookDeliveryPage })
  @ApiNotFoundResponse({ description: 'no such webhook (problem+json)' })
  deliveries(
    @Param('id', uuid) id: string,
    @Query() q: ListDeliveriesQuery,
  ): Promise<WebhookDeliveryPage> {
    return this.webhooks.deliveries(id, q.after, q.limit);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a delivery again now, with the same webhook-id and a fresh retry schedule',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryView })
  @ApiNotFoundResponse({ description: 'no such webhook or delivery (problem+json)' })
  @ApiConflictResponse({ description: 'the webhook is disabled (problem+json)' })
  redeliver(
    @Param('id', uuid) id: string,
    @Param('deliveryId', uuid) deliveryId: string,
  ): Promise<WebhookDeliveryView> {
    return this.webhooks.redeliver(id, deliveryId);
  }
}
