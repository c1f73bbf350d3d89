import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Global, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ExecutionResult } from 'graphql';
import { directSubscriptions } from '../events/direct-subscriptions';
import { formatGraphqlError } from './graphql-errors';
import { createPubSub, PUB_SUB } from './pubsub';
import { ServerTimeResolver } from './server-time.resolver';
import { ServerTimeService } from './server-time.service';

@Global()
@Module({
  imports: [
    GraphQLModule.forRoot<ApolloDriverConfig>({
      driver: ApolloDriver,
      path: '/graphql',
      // The SDL is built in memory at start-up; `npm run schema:write` commits it, sorted, to
      // src/schema.graphql and a test fails when the two drift.
      autoSchemaFile: true,
      sortSchema: true,
      playground: false,
      introspection: true,
      subscriptions: {
        'graphql-ws': {
          path: '/graphql',
          // Subscriptions whose messages many subscribers share (`logs` batches) are executed and
          // serialised once per message, not once per subscriber (src/events/direct-subscriptions.ts).
          // Nest spreads these options into graphql-ws's useServer; its type lists fewer of them.
          ...directSubscriptions,
          // Errors in subscription results get the same extensions.code as queries and mutations.
          onNext: (
            _ctx: unknown,
            _id: unknown,
            _payload: unknown,
            _args: unknown,
            result: ExecutionResult,
          ) =>
            result.errors
              ? { ...result, errors: result.errors.map((e) => formatGraphqlError(e.toJSON(), e)) }
              : undefined,
        },
      },
      formatError: formatGraphqlError,
      context: ({ req }: { req: unknown }) => ({ req }),
    }),
  ],
  providers: [
    { provide: PUB_SUB, useFactory: createPubSub },
    ServerTimeResolver,
    ServerTimeService,
  ],
  exports: [PUB_SUB],
})
export class AppGraphqlModule {}
