import { Args, Query, Resolver } from '@nestjs/graphql';
import { HostLogsArgs } from './dto/logs.dto';
import { ConsoleLineConnection } from './logs.models';
import { LogsService } from './logs.service';

@Resolver()
export class LogsResolver {
  constructor(private readonly logs: LogsService) {}

  @Query(() => ConsoleLineConnection, {
    description:
      "A host's console logs (xen, dom0, qemu, guests), oldest first, cursor-paginated; live lines: the `logs` subscription.",
  })
  hostLogs(@Args() args: HostLogsArgs): ConsoleLineConnection {
    return this.logs.connection(args.host, { ...args, limit: args.first });
  }
}
