import { Module } from '@nestjs/common';
import { ConsoleService } from './console.service';

/** The GraphQL console (GraphiQL) at GET /graphql for browsers. */
@Module({ providers: [ConsoleService] })
export class ConsoleModule {}
