import { SsrfError, SsrfPolicy } from './ssrf-policy';

describe('SsrfPolicy', () => {
  const policy = new SsrfPolicy([]);

  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.5',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.100.100.200',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:a00:1::',
  ])('refuses %s', (ip) => {
    expect(() => policy.assertAllowed(ip)).toThrow(SsrfError);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111'])('allows public %s', (ip) => {
    expect(() => policy.assertAllowed(ip)).not.toThrow();
  });

  it('allows what the allowlist names, and only that', () => {
    const p = new SsrfPolicy(['127.0.0.1', '10.1.0.0/16', '::1']);
    expect(() => p.assertAllowed('127.0.0.1')).not.toThrow();
    expect(() => p.assertAllowed('::ffff:127.0.0.1')).not.toThrow();
    expect(() => p.assertAllowed('10.1.200.3')).not.toThrow();
    expect(() => p.assertAllowed('::1')).not.toThrow();
    expect(() => p.assertAllowed('127.0.0.2')).toThrow(SsrfError);
    expect(() => p.assertAllowed('10.2.0.1')).toThrow(SsrfError);
  });

  it('names the host and the kind of address in the message', () => {
    expect(() => policy.assertAllowed('169.254.169.254', 'metadata.google.internal')).toThrow(
      /metadata\.google\.internal \(169\.254\.169\.254, linkLocal address\)/,
    );
  });
});
