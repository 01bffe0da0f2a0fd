import ipaddr from 'ipaddr.js';

export class SsrfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SsrfError';
  }
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** IPv6 global unicast: everything outside is loopback, unspecified, embedded IPv4, ULA, link-local, multicast or reserved. */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
/** Deprecated IPv4-compatible addresses (::a.b.c.d): many stacks still route them to the IPv4 address. */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/**
 * Which addresses workflow HTTP steps may reach: public unicast only. Every special-purpose
 * IPv4 and IPv6 block is refused (ssrf-policy.spec.ts lists and checks each one), globally
 * reachable or not, together with multicast and, for IPv6, anything outside
 * 2000::/3 — loopback, unspecified, IPv4-mapped and IPv4-compatible forms, NAT64,
 * unique-local, link-local, site-local. 6to4 and Teredo, which embed IPv4 addresses, are
 * refused too. IPv4-mapped addresses are judged (and allowlisted) as the IPv4 address
 * they map; only an address inside WORKFLOW_HTTP_ALLOWLIST escapes these rules.
 */
export class SsrfPolicy {
  private readonly allow: Cidr[];

  constructor(allowlist: string[]) {
    this.allow = allowlist.map((entry) => {
      if (entry.includes('/')) return ipaddr.parseCIDR(entry) as Cidr;
      const addr = ipaddr.parse(entry);
      return [addr, addr.kind() === 'ipv4' ? 32 : 128] as Cidr;
    });
  }

  /** Throws SsrfError when `ip` may not be contacted. */
  assertAllowed(ip: string, host = ip): void {
    let addr: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      addr = ipaddr.parse(ip);
    } catch {
      throw new SsrfError(`"${host}" did not resolve to a valid IP address`);
    }
    const mapped = addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress();
    const judged = mapped ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
    if (this.allowed(judged)) return;
    const range = classify(judged);
    if (range !== 'unicast' || mapped) {
      const shown = mapped ? `::ffff:${judged.toString()}` : addr.toString();
      throw new SsrfError(`refusing to contact ${host} (${shown}, ${range === 'unicast' ? 'ipv4Mapped' : range} address)`);
    }
  }

  private allowed(addr: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return this.allow.some(([net, bits]) => net.kind() === addr.kind() && addr.match([net, bits] as never));
  }
}

/** ipaddr.js's range name ("private", "loopback", …), or "unicast" for a public address. */
function classify(addr: ipaddr.IPv4 | ipaddr.IPv6): string {
  const range = addr.range();
  if (range !== 'unicast' || addr.kind() === 'ipv4') return range;
  if (addr.match(IPV4_COMPATIBLE as never)) return 'ipv4Compatible';
  if (!addr.match(GLOBAL_UNICAST as never)) return 'reserved';
  return range;
}
