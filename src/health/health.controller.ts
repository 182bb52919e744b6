import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/access.decorators';
import { HealthService } from './health.service';

/**
 * Stable contract for monitors: `/health` answers 200 {"status":"ok"} when the app and its database are up,
 * 503 otherwise (readiness); `/health/live` answers 200 as long as the process serves requests, without
 * touching the database (liveness: a restart would not cure a database outage).
 */
@Controller('health')
export class HealthController {
  constructor(private readonly healthService: HealthService) {}

  @Get()
  @Public()
  async check(@Res() res: Response) {
    const up = await this.healthService.databaseIsUp();
    res.status(up ? 200 : 503).json({ status: up ? 'ok' : 'unavailable', database: up ? 'up' : 'down' });
  }

  @Get('live')
  @Public()
  live(@Res() res: Response) {
    res.status(200).json({ status: 'ok' });
  }
}
