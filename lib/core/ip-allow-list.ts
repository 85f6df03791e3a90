import { BlockList, isIP } from 'node:net';

export type IpAllowList = (ip: string | undefined) => boolean;

/**
 * Exact addresses and CIDR ranges, IPv4 and IPv6. An IPv4 client seen by a
 * dual-stack server as `::ffff:1.2.3.4` matches the IPv4 entry. Bad entries
 * throw at startup, not per request.
 */
export function createIpAllowList(entries: readonly string[]): IpAllowList {
  const list = new BlockList();
  for (const entry of entries) addEntry(list, entry);
  return (ip) => {
    if (ip === undefined || ip === '') return false;
    const address = unmapIpv4(ip);
    const family = isIP(address);
    if (family === 0) return false;
    return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}

function addEntry(list: BlockList, entry: string): void {
  const slash = entry.indexOf('/');
  const address = unmapIpv4((slash === -1 ? entry : entry.slice(0, slash)).trim());
  const family = isIP(address);
  if (family === 0) throw new TypeError(`allowIps: "${entry}" is not an IP address or CIDR range.`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash === -1) {
    list.addAddress(address, type);
    return;
  }
  const prefixText = entry.slice(slash + 1).trim();
  const prefix = Number(prefixText);
  if (!/^\d+$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) {
    throw new TypeError(`allowIps: "${entry}" has an invalid prefix length.`);
  }
  list.addSubnet(address, prefix, type);
}

function unmapIpv4(ip: string): string {
  return ip.length > 7 && ip.slice(0, 7).toLowerCase() === '::ffff:' && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}
