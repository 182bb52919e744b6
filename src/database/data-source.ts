import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { databaseConfig } from '../config/database.config';
import { buildDataSourceOptions } from './data-source-options';

/** The data source of the TypeORM CLI (`npm run migration:*`), built like the app's. */
export default buildDataSourceOptions(databaseConfig()).then(({ options }) => new DataSource(options));
