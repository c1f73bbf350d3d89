import { DynamicModule, Module, RequestMethod, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ConsoleModule } from './console/console.module';
import { EventsModule } from './events/events.module';
import { AppGraphqlModule } from './graphql/graphql.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { HealthModule } from './health/health.module';
import { HostsModule } from './hosts/hosts.module';
import { InventoryModule } from './inventory/inventory.module';
import { PcibackModule } from './pciback/pciback.module';
import { MsiModule } from './msi/msi.module';
import { LogsModule } from './logs/logs.module';
import { DomainsModule } from './domains/domains.module';
import { APP_CONFIG, AppConfig } from './infra/config/config';
import { DatabaseModule } from './infra/database/database.module';
import { ProblemFilter } from './infra/errors/problem.filter';

export interface AppModuleOptions {
  config: AppConfig;
  databaseUrl: string;
}

@Module({})
export class AppModule {
  static forRoot({ config, databaseUrl }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          // Request-scoped log context (pino-http on every request) only when request logs are wanted.
          ...(config.logLevel === 'debug' || config.logLevel === 'trace'
            ? {}
            : { exclude: [{ path: '{*path}', method: RequestMethod.ALL }] }),
          pinoHttp: {
            level: config.logLevel,
            autoLogging: config.logLevel === 'debug' || config.logLevel === 'trace',
            transport:
              config.logFormat === 'pretty' && config.logLevel !== 'silent'
                ? {
                    target: 'pino-pretty',
                    options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' },
                  }
                : undefined,
          },
        }),
        DatabaseModule.forRoot(databaseUrl),
        HealthModule,
        AppGraphqlModule,
        EventsModule,
        WebhooksModule,
        ConsoleModule,
        HostsModule,
        InventoryModule,
        PcibackModule,
        MsiModule,
        LogsModule,
        DomainsModule,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: ProblemFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
          }),
        },
      ],
      exports: [APP_CONFIG],
    };
  }
}
