import { PubSub } from 'graphql-subscriptions';

/** The one PubSub provider token (STYLE.md): subscriptions resolve through it. */
export const PUB_SUB = Symbol('PUB_SUB');

/** Topic names, as constants. */
export const TOPICS = {
  serverTime: 'serverTime',
} as const;

export function createPubSub(): PubSub {
  return new PubSub();
}
