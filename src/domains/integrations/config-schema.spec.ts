import { ConfigSchemaValidator, maskSecret, secretFields } from './config-schema';

const SCHEMA = {
  type: 'object',
  required: ['token', 'smtp_port'],
  additionalProperties: false,
  properties: {
    token: { type: 'string', minLength: 1, writeOnly: true },
    smtp_port: { type: 'integer', minimum: 1, maximum: 65535 },
    to: { type: 'array', items: { type: 'string', format: 'email' } },
    root_path: { type: 'string', default: '/' },
  },
};

describe('integration config schema', () => {
  const validator = new ConfigSchemaValidator();

  it('accepts a valid config and fills defaults', () => {
    const config: Record<string, unknown> = { token: 't', smtp_port: 25 };
    expect(validator.validate('s', SCHEMA, config, ['body', 'config'])).toEqual([]);
    expect(config.root_path).toBe('/');
  });

  it('names every failing property, in the 422 shape', () => {
    const issues = validator.validate('s', SCHEMA, { smtp_port: 0, to: ['ok@x.io', 'nope'], extra: 1 }, ['body', 'config']);
    expect(issues).toEqual(
      expect.arrayContaining([
        { loc: ['body', 'config', 'token'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'config', 'extra'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
        { loc: ['body', 'config', 'smtp_port'], msg: 'must be >= 1', type: 'minimum' },
        { loc: ['body', 'config', 'to', 1], msg: 'must match format "email"', type: 'format' },
      ]),
    );
  });

  it('finds the writeOnly (secret) fields and masks them', () => {
    expect([...secretFields(SCHEMA)]).toEqual(['token']);
    expect(maskSecret('ghp_0123456789abcd')).toBe('••••abcd');
    expect(maskSecret('short')).toBe('••••');
  });
});
