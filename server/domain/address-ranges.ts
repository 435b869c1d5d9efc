/**
 * Sets of IP addresses written as an operator writes them (`10.0.0.5`, `192.168.1.0/24`, `::1`,
 * `fd00::/8`): which peers are trusted proxies, and whether a listening host is loopback only.
 * An IPv4-mapped IPv6 peer (`::ffff:10.0.0.5`, as a dual-stack socket reports it) matches its IPv4 range.
 */
import net from 'node:net';

export interface AddressRanges {
  includes(address: string): boolean;
}

interface Range {
  network: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** `address` or `address/prefix`, or null when it is neither. */
export function parseAddressRange(entry: string): Range | null {
  const [network = '', prefixText, ...rest] = entry.trim().split('/');
  const version = net.isIP(network);
  if (version === 0 || rest.length > 0) return null;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  if (prefixText === undefined) return { network, prefix: max, family };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return null;
  return { network, prefix: Number(prefixText), family };
}

/** The ranges of valid entries (config.ts refuses invalid ones before this is called). */
export function addressRanges(entries: readonly string[]): AddressRanges {
  const list = new net.BlockList();
  for (const entry of entries) {
    const range = parseAddressRange(entry);
    if (!range) throw new RangeError(`not an address or CIDR range: ${entry}`);
    list.addSubnet(range.network, range.prefix, range.family);
  }
  return {
    includes(address) {
      const version = net.isIP(address);
      return version !== 0 && list.check(address, version === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

const LOOPBACK = addressRanges(['127.0.0.0/8', '::1/128']);

/** Whether listening on `host` reaches this machine only: `localhost` or a loopback address. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || LOOPBACK.includes(bare);
}
