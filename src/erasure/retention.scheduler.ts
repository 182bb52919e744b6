import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Clock } from '../clock/clock';
import { retentionConfig, type RetentionConfig } from '../config/retention.config';
import { msUntilNextRun } from './retention-period';
import { RetentionService, retentionJobContext } from './retention.service';

/** The job runs at night, Hanoi time, when nobody is recording contacts. */
const RUN_HOUR = 2;

/**
 * Runs the retention job every day at 02:00 Hanoi time. A plain timer (no scheduler dependency): one
 * job, one time of day. Only the web server runs it (the command line is an application context with no
 * HTTP server); RETENTION_SCHEDULE=off turns it off, and tests leave it off. With several web servers each
 * runs it: an erasure locks the client row and skips one already erased, so the second run erases nothing.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly retentionService: RetentionService,
    private readonly clock: Clock,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(retentionConfig.KEY) private readonly config: RetentionConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.scheduled || !this.adapterHost.httpAdapter) return;
    this.scheduleNext();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.runOnce(), msUntilNextRun(this.clock.now(), RUN_HOUR));
    // A pending run never keeps the process alive on shutdown.
    this.timer.unref();
  }

  private async runOnce(): Promise<void> {
    try {
      const outcome = await this.retentionService.run(retentionJobContext());
      this.logger.log(`Retention run: ${outcome.total} client(s) erased`);
    } catch (error) {
      const failure = error as Error;
      this.logger.error(`Retention run failed: ${failure.name}: ${failure.message}`, failure.stack);
    } finally {
      this.scheduleNext();
    }
  }
}
