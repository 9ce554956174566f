import { ValidationPipe, type INestApplication } from '@nestjs/common';

/** What main.ts sets on the application besides its module, shared with the e2e tests. */
export function configureApp(app: INestApplication): INestApplication {
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  // SIGINT/SIGTERM close the application, and with it the database connections.
  app.enableShutdownHooks();
  return app;
}
