/**
 * Entry for the typeorm CLI (`npm run migration:*`): the same factory as the app, with
 * the migration purpose (no statement timeout) and the advisory-locked runner.
 */
import 'reflect-metadata';
import { loadConfig } from '@/platform/config/load-config';
import { buildDataSourceOptions } from '@/platform/database/data-source.options';
import { FloyoDataSource } from '@/platform/database/floyo-data-source';
import { ENTITIES } from './entities';

export default new FloyoDataSource(buildDataSourceOptions(loadConfig(), 'migrations', ENTITIES));
