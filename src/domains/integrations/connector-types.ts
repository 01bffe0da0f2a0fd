/**
 * The connector catalogue's service types — the legacy service's values — and their
 * display names. The catalogue rows (with their config schemas) are seeded by migrations;
 * code that names a connector uses these.
 */
export const CONNECTOR_TYPES = {
  github: 'GitHub',
  slack: 'Slack',
  googledrive: 'Google Drive',
  dropbox: 'Dropbox',
  s3: 'AWS S3',
  email: 'Email (SMTP)',
} as const;

export type ConnectorType = keyof typeof CONNECTOR_TYPES;

export const isConnectorType = (value: unknown): value is ConnectorType =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(CONNECTOR_TYPES, value);
