import { lookup } from 'node:dns/promises';
import { BlockList, isIP, isIPv4 } from 'node:net';

/** A resolved address a delivery may connect to. */
export interface Destination {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Why a destination is refused (never retried: the next attempt would be refused again). */
export class DestinationRefusedError extends Error {}

/** IPv4 ranges that are not the public internet (RFC 6890 and friends). */
const PRIVATE_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata at 169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

/** IPv6 ranges that are not the public internet; mapped IPv4 forms are unwrapped first. */
const PRIVATE_V6: [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
  ['2001:db8::', 32], // documentation
  ['100::', 64], // discard
];

const blockList = (v4: [string, number][], v6: [string, number][]): BlockList => {
  const list = new BlockList();
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, 'ipv6');
  return list;
};

const PRIVATE = blockList(PRIVATE_V4, PRIVATE_V6);

/** The 8 hextets of an IPv6 address (with a trailing dotted quad, if any, folded in). */
function hextets(address: string): number[] {
  let text = address.toLowerCase().split('%')[0];
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad[1].split('.').map(Number);
    text =
      text.slice(0, -quad[1].length) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((h) => parseInt(h, 16));
}

const quadOf = (hi: number, lo: number): string => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 address an IPv6 address carries, when it is a form that reaches it: IPv4-mapped
 * (`::ffff:a.b.c.d`, also in hex), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) and
 * 6to4 (`2002:AABB:CCDD::/48`).
 */
export function embeddedIpv4(address: string): string | undefined {
  const h = hextets(address);
  if (h.length !== 8 || h.some((x) => Number.isNaN(x))) return undefined;
  const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && h[5] === 0xffff) return quadOf(h[6], h[7]);
  if (zeros(0, 6) && (h[6] !== 0 || h[7] > 1)) return quadOf(h[6], h[7]);
  if (h[0] === 0x64 && h[1] === 0xff9b && zeros(2, 6)) return quadOf(h[6], h[7]);
  if (h[0] === 0x2002) return quadOf(h[1], h[2]);
  return undefined;
}

/**
 * The SSRF guard of outbound webhooks: a destination is allowed only when every address its
 * host resolves to is public, or named by the allow-list (WEBHOOK_ALLOWED_PRIVATE_CIDRS). The
 * delivery then connects to exactly the addresses checked here (no second resolution that a
 * DNS rebinding could change).
 */
export class DestinationGuard {
  private readonly allowed = new BlockList();

  /** @param allowList comma-separated addresses or CIDR ranges (IPv4 or IPv6). */
  constructor(allowList: string) {
    for (const entry of allowList
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const [net, prefix] = entry.split('/');
      const family = isIP(net);
      if (family === 0) throw new Error(`Not an address or CIDR range: ${entry}`);
      const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
      this.allowed.addSubnet(net, bits, family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** Why `address` may not be reached, or undefined when it may. */
  refusal(address: string): string | undefined {
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (this.allowed.check(address, family)) return undefined;
    const inner = family === 'ipv6' ? embeddedIpv4(address) : undefined;
    if (inner !== undefined && this.allowed.check(inner, 'ipv4')) return undefined;
    if (PRIVATE.check(address, family) || (inner !== undefined && PRIVATE.check(inner, 'ipv4'))) {
      return `${address} is a private, loopback or link-local address`;
    }
    return undefined;
  }

  /** Refuses URLs whose host is an address (or `localhost`) not allowed, without DNS. */
  checkLiteral(url: URL): void {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const why = this.refusal(host);
      if (why) throw new DestinationRefusedError(why);
    } else if (host === 'localhost' || host.endsWith('.localhost')) {
      const why = this.refusal('127.0.0.1');
      if (why) throw new DestinationRefusedError(`${host} is loopback`);
    }
  }

  /** Resolves `url`'s host and checks every address. */
  async resolve(url: URL): Promise<Destination[]> {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new DestinationRefusedError(`${url.protocol} is not http or https`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const family = isIP(host);
    const found: Destination[] = family
      ? [{ address: host, family: family as 4 | 6 }]
      : (await lookup(host, { all: true, verbatim: true })).map((a) => ({
          address: a.address,
          family: a.family as 4 | 6,
        }));
    if (found.length === 0) throw new DestinationRefusedError(`${host} has no address`);
    for (const { address } of found) {
      const why = this.refusal(address);
      if (why) throw new DestinationRefusedError(`${host}: ${why}`);
    }
    return found;
  }
}
