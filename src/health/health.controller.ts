import { Controller, Get } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheck } from '@nestjs/terminus';
import type { HealthCheckResult } from '@nestjs/terminus';
import { HealthService } from './health.service';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(private readonly service: HealthService) {}

  @Get('health')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: 200 while the process serves requests' })
  @ApiOkResponse({ description: 'alive' })
  health(): Promise<HealthCheckResult> {
    return this.service.liveness();
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the database is reachable and every migration is applied' })
  @ApiOkResponse({ description: 'ready' })
  @ApiServiceUnavailableResponse({
    description: 'database unreachable or migrations pending (problem+json)',
  })
  ready(): Promise<HealthCheckResult> {
    return this.service.readiness();
  }
}
