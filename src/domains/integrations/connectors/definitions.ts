import type { ConnectorType } from '../connector-types';
import type { ConnectorDefinition } from './connector';
import { dropbox } from './dropbox';
import { email } from './email';
import { github } from './github';
import { googleDrive } from './google-drive';
import { s3 } from './s3';
import { slack } from './slack';

/** Every connector's actions and connection test, by service type (the catalogue rows are seeded by migrations). */
export const CONNECTOR_DEFINITIONS: Record<ConnectorType, ConnectorDefinition> = {
  github,
  slack,
  googledrive: googleDrive,
  dropbox,
  s3,
  email,
};
