import ipaddr from 'ipaddr.js';

export class SsrfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SsrfError';
  }
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Which addresses workflow HTTP steps may reach: public unicast only. Loopback, private,
 * link-local (incl. the 169.254.169.254 metadata address), unique-local, unspecified
 * (0.0.0.0, ::), CGNAT (100.64/10, incl. 100.100.100.200), multicast, reserved and the
 * IPv6 transition ranges that can embed such addresses are refused — unless the address
 * is inside WORKFLOW_HTTP_ALLOWLIST.
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
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
    if (this.allowed(addr)) return;
    const range = addr.range();
    if (range !== 'unicast') {
      throw new SsrfError(`refusing to contact ${host} (${addr.toString()}, ${range} address)`);
    }
  }

  private allowed(addr: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return this.allow.some(([net, bits]) => net.kind() === addr.kind() && addr.match([net, bits] as never));
  }
}
