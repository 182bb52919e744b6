import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigError, loadEnv } from './config/env';
import { EmbeddedDatabaseInUseError } from './database/embedded';
import { createLogger, PinoNestLogger } from './logging/logger';
import { UsersService } from './users/users.service';

async function bootstrap(): Promise<void> {
  let env;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(env.LOG_LEVEL);
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
    abortOnError: false,
  });
  await configureApp(app, logger);
  await app.listen(env.PORT);
  logger.info(
    `Nhịp Cầu is listening on http://localhost:${env.PORT} (${env.DATABASE_URL ? 'PostgreSQL' : 'embedded database'})`,
  );
  if (!(await app.get(UsersService).hasAdmin())) {
    logger.warn(
      'No administrator account yet. Stop the app (Ctrl+C), then run:\n' +
        '  npm run cli -- org:create --code hq --name "Head office"\n' +
        '  npm run cli -- user:create --username admin --role admin --org hq   (type the password, then Enter)\n' +
        'and start it again with npm start.',
    );
  }
}

bootstrap().catch((error: unknown) => {
  if (error instanceof EmbeddedDatabaseInUseError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(75); // EX_TEMPFAIL
  }
  process.stderr.write(`Failed to start: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
