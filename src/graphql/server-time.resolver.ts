import { Args, Int, Query, Resolver, Subscription } from '@nestjs/graphql';
import { ServerTimeService } from './server-time.service';
import { ServerTime } from './server-time.model';

@Resolver(() => ServerTime)
export class ServerTimeResolver {
  constructor(private readonly service: ServerTimeService) {}

  @Query(() => ServerTime, { description: "The server's wall-clock time and ptlab version." })
  serverTime(): ServerTime {
    return this.service.now();
  }

  @Subscription(() => ServerTime, {
    description:
      "The server's wall-clock time, pushed every `intervalMs` milliseconds (a liveness probe for graphql-ws clients).",
    resolve: (payload: ServerTime) => payload,
  })
  serverTimeTicks(
    @Args('intervalMs', {
      type: () => Int,
      defaultValue: 1000,
      description: 'Tick interval, 50..60000 ms.',
    })
    intervalMs: number,
  ): AsyncIterableIterator<ServerTime> {
    return this.service.ticks(intervalMs);
  }
}
