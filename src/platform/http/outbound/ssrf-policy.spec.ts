import ipaddr from 'ipaddr.js';
import { SsrfError, SsrfPolicy } from './ssrf-policy';

/**
 * Every special-purpose IPv4 and IPv6 address block, with whether it is globally reachable
 * (true, false, or null where that does not apply — a deprecated block, or one whose
 * reachability depends on the address it embeds), followed by the other blocks set apart
 * from public unicast. The policy may let an address of a block through only if the block
 * is globally reachable AND the row says why the policy allows it (`allowedBecause`). It
 * allows none: every globally reachable block below is refused on purpose, for the reason
 * given in `refusedBecause` — none of them serves HTTP to the public, and the translation
 * prefixes embed IPv4 addresses that would bypass the IPv4 checks.
 */
interface Block {
  block: string;
  name: string;
  reachable: boolean | null;
  refusedBecause?: string;
  allowedBecause?: string;
  /** An address inside worth checking besides the block's first and last ones. */
  sample?: string;
}

const NOT_HTTP = 'an anycast/infrastructure service, never an HTTP endpoint a workflow calls';

const IPV4_SPECIAL_PURPOSE: Block[] = [
  { block: '0.0.0.0/8', name: '"This network"', reachable: false },
  { block: '0.0.0.0/32', name: '"This host on this network"', reachable: false },
  { block: '10.0.0.0/8', name: 'Private-Use', reachable: false },
  { block: '100.64.0.0/10', name: 'Shared Address Space', reachable: false, sample: '100.100.100.200' },
  { block: '127.0.0.0/8', name: 'Loopback', reachable: false },
  { block: '169.254.0.0/16', name: 'Link Local', reachable: false, sample: '169.254.169.254' },
  { block: '172.16.0.0/12', name: 'Private-Use', reachable: false },
  { block: '192.0.0.0/24', name: 'IETF Protocol Assignments', reachable: false },
  { block: '192.0.0.0/29', name: 'IPv4 Service Continuity Prefix', reachable: false },
  { block: '192.0.0.8/32', name: 'IPv4 dummy address', reachable: false },
  { block: '192.0.0.9/32', name: 'Port Control Protocol Anycast', reachable: true, refusedBecause: NOT_HTTP },
  { block: '192.0.0.10/32', name: 'Traversal Using Relays around NAT Anycast', reachable: true, refusedBecause: NOT_HTTP },
  { block: '192.0.0.170/32', name: 'NAT64/DNS64 Discovery', reachable: false },
  { block: '192.0.0.171/32', name: 'NAT64/DNS64 Discovery', reachable: false },
  { block: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', reachable: false },
  { block: '192.31.196.0/24', name: 'AS112-v4', reachable: true, refusedBecause: NOT_HTTP },
  { block: '192.52.193.0/24', name: 'AMT', reachable: true, refusedBecause: NOT_HTTP },
  { block: '192.88.99.0/24', name: 'Deprecated (6to4 Relay Anycast)', reachable: null },
  { block: '192.88.99.2/32', name: '6a44-relay anycast address', reachable: false },
  { block: '192.168.0.0/16', name: 'Private-Use', reachable: false },
  { block: '192.175.48.0/24', name: 'Direct Delegation AS112 Service', reachable: true, refusedBecause: NOT_HTTP },
  { block: '198.18.0.0/15', name: 'Benchmarking', reachable: false },
  { block: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', reachable: false },
  { block: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', reachable: false },
  { block: '240.0.0.0/4', name: 'Reserved', reachable: false },
  { block: '255.255.255.255/32', name: 'Limited Broadcast', reachable: false },
];

const IPV6_SPECIAL_PURPOSE: Block[] = [
  { block: '::1/128', name: 'Loopback Address', reachable: false },
  { block: '::/128', name: 'Unspecified Address', reachable: false },
  { block: '::ffff:0:0/96', name: 'IPv4-mapped Address', reachable: false, sample: '::ffff:8.8.8.8' },
  {
    block: '64:ff9b::/96',
    name: 'IPv4-IPv6 Translat.',
    reachable: true,
    refusedBecause: 'embeds an IPv4 address (64:ff9b::7f00:1 is 127.0.0.1 through a NAT64 gateway)',
    sample: '64:ff9b::808:808',
  },
  { block: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translat.', reachable: false },
  { block: '100::/64', name: 'Discard-Only Address Block', reachable: false },
  { block: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix', reachable: false },
  { block: '2001::/23', name: 'IETF Protocol Assignments', reachable: false },
  { block: '2001::/32', name: 'TEREDO', reachable: null, sample: '2001:0:4136:e378:8000:63bf:3fff:fdd2' },
  { block: '2001:1::1/128', name: 'Port Control Protocol Anycast', reachable: true, refusedBecause: NOT_HTTP },
  { block: '2001:1::2/128', name: 'Traversal Using Relays around NAT Anycast', reachable: true, refusedBecause: NOT_HTTP },
  { block: '2001:1::3/128', name: 'DNS-SD Service Registration Protocol Anycast Address', reachable: true, refusedBecause: NOT_HTTP },
  { block: '2001:2::/48', name: 'Benchmarking', reachable: false },
  { block: '2001:3::/32', name: 'AMT', reachable: true, refusedBecause: NOT_HTTP },
  { block: '2001:4:112::/48', name: 'AS112-v6', reachable: true, refusedBecause: NOT_HTTP },
  { block: '2001:10::/28', name: 'Deprecated (previously ORCHID)', reachable: null },
  {
    block: '2001:20::/28',
    name: 'ORCHIDv2',
    reachable: true,
    refusedBecause: 'cryptographic host identifiers of an overlay, not routable addresses',
  },
  {
    block: '2001:30::/28',
    name: 'Drone Remote ID Protocol Entity Tags (DETs) Prefix',
    reachable: true,
    refusedBecause: 'identifiers, not routable addresses',
  },
  { block: '2001:db8::/32', name: 'Documentation', reachable: false },
  { block: '2002::/16', name: '6to4', reachable: null, sample: '2002:808:808::1' },
  { block: '2620:4f:8000::/48', name: 'Direct Delegation AS112 Service', reachable: true, refusedBecause: NOT_HTTP },
  { block: '3fff::/20', name: 'Documentation', reachable: false },
  { block: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', reachable: false },
  { block: 'fc00::/7', name: 'Unique-Local', reachable: false, sample: 'fd00:ec2::254' },
  { block: 'fe80::/10', name: 'Link-Local Unicast', reachable: false },
];

/** Not special-purpose blocks, but no public unicast either: multicast, deprecated or unallocated space. */
const OTHER_NON_PUBLIC: Block[] = [
  { block: '224.0.0.0/4', name: 'IPv4 multicast', reachable: false },
  { block: 'ff00::/8', name: 'IPv6 multicast', reachable: false },
  { block: '::/96', name: 'IPv4-compatible IPv6 addresses (deprecated)', reachable: false, sample: '::7f00:1' },
  { block: 'fec0::/10', name: 'Site-local (deprecated)', reachable: false },
  { block: '4000::/3', name: 'Reserved IPv6 space (outside 2000::/3)', reachable: false },
  { block: '::/8', name: 'Reserved IPv6 space', reachable: false, sample: '::2' },
];

function addressesIn({ block, sample }: Block): string[] {
  const family = block.includes(':') ? ipaddr.IPv6 : ipaddr.IPv4;
  const first = family.networkAddressFromCIDR(block).toString();
  const last = family.broadcastAddressFromCIDR(block).toString();
  return [...new Set([first, last, ...(sample ? [sample] : [])])];
}

describe('SsrfPolicy', () => {
  const policy = new SsrfPolicy([]);

  describe.each([
    ['IPv4 special-purpose blocks', IPV4_SPECIAL_PURPOSE],
    ['IPv6 special-purpose blocks', IPV6_SPECIAL_PURPOSE],
    ['other non-public blocks', OTHER_NON_PUBLIC],
  ])('%s', (_kind, blocks) => {
    it.each(blocks.map((b) => [b.block, b.name, b] as const))('%s (%s)', (_block, _name, row) => {
      expect(row.allowedBecause === undefined || row.reachable === true).toBe(true);
      expect(row.reachable !== true || !!(row.refusedBecause ?? row.allowedBecause)).toBe(true);
      for (const address of addressesIn(row)) {
        if (row.allowedBecause) expect(() => policy.assertAllowed(address)).not.toThrow();
        else expect(() => policy.assertAllowed(address)).toThrow(SsrfError);
      }
    });
  });

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
    '::7f00:1',
    '::a00:1',
  ])('refuses %s', (ip) => {
    expect(() => policy.assertAllowed(ip)).toThrow(SsrfError);
  });

  it.each(['93.184.215.14', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:82a::200e', '2001:4860:4860::8888'])(
    'allows public %s',
    (ip) => {
      expect(() => policy.assertAllowed(ip)).not.toThrow();
    },
  );

  it('allows what the allowlist names, and only that', () => {
    const p = new SsrfPolicy(['127.0.0.1', '10.1.0.0/16', '::1']);
    expect(() => p.assertAllowed('127.0.0.1')).not.toThrow();
    expect(() => p.assertAllowed('::ffff:127.0.0.1')).not.toThrow();
    expect(() => p.assertAllowed('10.1.200.3')).not.toThrow();
    expect(() => p.assertAllowed('::1')).not.toThrow();
    expect(() => p.assertAllowed('127.0.0.2')).toThrow(SsrfError);
    expect(() => p.assertAllowed('10.2.0.1')).toThrow(SsrfError);
    // the allowlisted IPv4 address is not reachable through an IPv6 form that embeds it
    for (const embedding of ['::7f00:1', '64:ff9b::7f00:1', '2002:7f00:1::']) expect(() => p.assertAllowed(embedding)).toThrow(SsrfError);
  });

  it('refuses what is not an IP address', () => {
    for (const bad of ['', 'localhost', '1.2.3.4.5', '::g']) expect(() => policy.assertAllowed(bad)).toThrow(SsrfError);
  });

  it('names the host and the kind of address in the message', () => {
    expect(() => policy.assertAllowed('169.254.169.254', 'metadata.google.internal')).toThrow(
      /metadata\.google\.internal \(169\.254\.169\.254, linkLocal address\)/,
    );
    expect(() => policy.assertAllowed('::7f00:1')).toThrow(/\(::7f00:1, ipv4Compatible address\)/);
    expect(() => policy.assertAllowed('::ffff:8.8.8.8')).toThrow(/\(::ffff:8\.8\.8\.8, ipv4Mapped address\)/);
  });
});
