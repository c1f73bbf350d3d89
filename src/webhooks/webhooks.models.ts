// Webhook subscriptions and their delivery log (GraphQL object types; the REST views share them).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { PageInfo } from '../graphql/page-info.model';

@ObjectType('Webhook', { description: 'A webhook subscription (Standard Webhooks).' })
export class WebhookView {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID, { description: 'Webhook id.' })
  id!: string;

  @ApiProperty({ example: 'https://hooks.example.test/ptlab' })
  @Field({ description: 'Where deliveries are POSTed.' })
  url!: string;

  @ApiProperty({ type: [String], example: ['domain.*', 'device.assignment'] })
  @Field(() => [String], { description: 'Event types or globs delivered (never `interrupts`).' })
  events!: string[];

  @ApiProperty({ type: [String], description: 'Only events of these hosts; empty = every host.' })
  @Field(() => [String], { description: 'Only events of these hosts; empty = every host.' })
  hosts!: string[];

  @ApiProperty()
  @Field({ description: 'Inactive webhooks get no deliveries (pending ones wait).' })
  active!: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the server disabled it (retries exhausted); null otherwise.',
  })
  @Field(() => String, {
    nullable: true,
    description: 'Why the server disabled it (retries exhausted); null otherwise.',
  })
  disabledReason!: string | null;

  @ApiProperty()
  @Field({ description: 'Creation time.' })
  createdAt!: Date;

  @ApiProperty()
  @Field({ description: 'Last change.' })
  updatedAt!: Date;
}

export class CreatedWebhookView extends WebhookView {
  @ApiProperty({
    description: 'The signing secret, `whsec_` + base64 key bytes. Shown only in this response.',
  })
  secret!: string;
}

@ObjectType({ description: 'A created webhook and its signing secret (shown only here).' })
export class CreateWebhookPayload {
  @Field(() => WebhookView, { description: 'The webhook.' })
  webhook!: WebhookView;

  @Field({ description: 'The signing secret, `whsec_` + base64 key bytes. Shown only once.' })
  secret!: string;
}

@ObjectType('WebhookAttempt', { description: 'One HTTP attempt of a delivery.' })
export class WebhookAttemptView {
  @ApiProperty()
  @Field(() => Int, { description: '1 for the first attempt, counting redeliveries on.' })
  attempt!: number;

  @ApiProperty({ type: Number, nullable: true })
  @Field(() => Int, { nullable: true, description: 'HTTP status answered; null when none.' })
  statusCode!: number | null;

  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, {
    nullable: true,
    description: 'Why it failed (status and body start, network error, timeout).',
  })
  error!: string | null;

  @ApiProperty()
  @Field(() => Int, { description: 'Duration of the attempt, ms.' })
  durationMs!: number;

  @ApiProperty()
  @Field({ description: 'When the attempt ended.' })
  at!: Date;
}

@ObjectType('WebhookDelivery', {
  description: 'One event to deliver to one webhook, and its attempts.',
})
export class WebhookDeliveryView {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID, { description: 'Delivery id.' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  @Field({ description: 'The webhook.' })
  webhookId!: string;

  @ApiProperty({ description: 'The event-log id of the event.' })
  @Field({ description: 'The event-log id of the event.' })
  eventId!: string;

  @ApiProperty({ description: 'The event type.' })
  @Field({ description: 'The event type.' })
  type!: string;

  @ApiProperty({
    description: 'The `webhook-id` header: the same on every attempt and redelivery.',
  })
  @Field({ description: 'The `webhook-id` header: the same on every attempt and redelivery.' })
  messageId!: string;

  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] })
  @Field({ description: '`pending`, `delivered` or `failed` (retries exhausted).' })
  status!: string;

  @ApiProperty({ description: 'Attempts since the delivery was (re)scheduled.' })
  @Field(() => Int, { description: 'Attempts since the delivery was (re)scheduled.' })
  attempts!: number;

  @ApiPropertyOptional({ type: Date, nullable: true })
  @Field(() => Date, {
    nullable: true,
    description: 'When the next attempt is due (pending only).',
  })
  nextAttemptAt!: Date | null;

  @ApiProperty({ type: Number, nullable: true })
  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt.' })
  lastStatusCode!: number | null;

  @ApiProperty({ type: String, nullable: true })
  @Field(() => String, { nullable: true, description: 'Error of the last attempt.' })
  lastError!: string | null;

  @ApiProperty()
  @Field({ description: 'When the delivery was enqueued (with its event).' })
  createdAt!: Date;

  @ApiProperty({ type: [WebhookAttemptView] })
  @Field(() => [WebhookAttemptView], { description: 'Every attempt, oldest first.' })
  attemptLog!: WebhookAttemptView[];
}

export class WebhookDeliveryPage {
  @ApiProperty({ type: [WebhookDeliveryView], description: 'Oldest first.' })
  items!: WebhookDeliveryView[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next page.' })
  nextCursor!: string | null;
}

@ObjectType({ description: 'A delivery with its cursor.' })
export class WebhookDeliveryEdge {
  @Field({ description: 'Cursor (the delivery id).' })
  cursor!: string;

  @Field(() => WebhookDeliveryView, { description: 'The delivery.' })
  node!: WebhookDeliveryView;
}

@ObjectType({ description: "A page of a webhook's delivery log." })
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge], { description: 'Deliveries, oldest first.' })
  edges!: WebhookDeliveryEdge[];

  @Field(() => PageInfo, { description: 'Where this page ends.' })
  pageInfo!: PageInfo;
}
