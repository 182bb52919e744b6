import { join, sep } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import hbs from 'hbs';
import { HELPERS } from './handlebars-helpers';

/** The project root, whether running from src/ (ts-node, jest) or from dist/src/ (built). */
export const PROJECT_ROOT = __dirname.includes(`${sep}dist${sep}`)
  ? join(__dirname, '..', '..', '..')
  : join(__dirname, '..', '..');
export const VIEWS_DIR = join(PROJECT_ROOT, 'views');

/** Handlebars views under views/, the layout in views/layouts/main.hbs, partials named "<folder>/<name>". */
export async function setUpViews(app: NestExpressApplication): Promise<void> {
  const dir = VIEWS_DIR;
  for (const [name, helper] of Object.entries(HELPERS)) hbs.registerHelper(name, helper);
  // registerPartials is asynchronous: wait for it before serving.
  await new Promise<void>((resolve, reject) =>
    hbs.registerPartials(join(dir, 'partials'), (error?: Error) => (error ? reject(error) : resolve())),
  );
  app.setBaseViewsDir(dir);
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
}
