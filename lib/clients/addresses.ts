import { BlockList, isIPv4, isIPv6 } from 'node:net'

/**
 * What an IP address is, for deciding whether a metadata document may be fetched from it: only
 * a `public` one may. `reserved` holds every other special-use range (documentation,
 * benchmarking, 240/4 and the broadcast address, 6to4, Teredo, IPv6 outside 2000::/3).
 * @see https://www.rfc-editor.org/rfc/rfc6890#section-2.2.2
 * @see https://www.rfc-editor.org/rfc/rfc6890#section-2.2.3
 */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'cgnat' | 'multicast' | 'unspecified' | 'reserved'

type Ranges = ReadonlyArray<readonly [network: string, prefix: number]>
type SpecialClass = Exclude<AddressClass, 'public'>

/** The special-use IPv4 ranges by class. @see https://www.iana.org/assignments/iana-ipv4-special-registry/ */
const IPV4_RANGES: ReadonlyArray<readonly [SpecialClass, Ranges]> = [
  ['unspecified', [['0.0.0.0', 8]]],
  ['loopback', [['127.0.0.0', 8]]],
  [
    'private',
    [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
    ],
  ],
  ['link-local', [['169.254.0.0', 16]]],
  ['cgnat', [['100.64.0.0', 10]]],
  ['multicast', [['224.0.0.0', 4]]],
  [
    'reserved',
    [
      ['240.0.0.0', 4],
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['192.88.99.0', 24],
      ['198.18.0.0', 15],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
    ],
  ],
]

/**
 * The special-use IPv6 ranges by class; the IPv4-mapped and NAT64 ranges are not here, since
 * such an address is classified by the IPv4 address it carries.
 * @see https://www.iana.org/assignments/iana-ipv6-special-registry/
 */
const IPV6_RANGES: ReadonlyArray<readonly [SpecialClass, Ranges]> = [
  ['unspecified', [['::', 128]]],
  ['loopback', [['::1', 128]]],
  [
    'private',
    [
      ['fc00::', 7],
      ['fec0::', 10],
    ],
  ],
  ['link-local', [['fe80::', 10]]],
  ['multicast', [['ff00::', 8]]],
  [
    'reserved',
    [
      ['::', 8],
      ['100::', 64],
      ['2001::', 23],
      ['2001:db8::', 32],
      ['2002::', 16],
      ['3fff::', 20],
    ],
  ],
]

// One BlockList per family: Node matches an IPv4 address against IPv6 rules as its mapped form,
// so an IPv4 address checked against `::/8` would match.
function blockLists(family: 'ipv4' | 'ipv6', ranges: ReadonlyArray<readonly [SpecialClass, Ranges]>) {
  return ranges.map(([kind, subnets]) => {
    const list = new BlockList()
    for (const [network, prefix] of subnets) list.addSubnet(network, prefix, family)
    return [kind, list] as const
  })
}

const IPV4 = blockLists('ipv4', IPV4_RANGES)
const IPV6 = blockLists('ipv6', IPV6_RANGES)
/** Global unicast: the only IPv6 space that is allocated for public use. @see https://www.rfc-editor.org/rfc/rfc4291#section-2.4 */
const GLOBAL_UNICAST = new BlockList()
GLOBAL_UNICAST.addSubnet('2000::', 3, 'ipv6')

/**
 * The class of an IP address as `dns.lookup` returns it or a URL holds it (without brackets).
 * An IPv4-mapped (`::ffff:127.0.0.1`, also `::ffff:7f00:1`) or NAT64 (`64:ff9b::/96`) address
 * is classified by the IPv4 address it carries; an IPv6 zone (`fe80::1%eth0`) is ignored; a
 * string that is not an IP address is `reserved`, never `public`.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-01#section-6.5
 * @see https://www.rfc-editor.org/rfc/rfc6890#section-2.2
 */
export function classifyAddress(ip: string): AddressClass {
  const address = ip.replace(/%.*$/, '')
  if (isIPv4(address)) return IPV4.find(([, list]) => list.check(address, 'ipv4'))?.[0] ?? 'public'
  if (!isIPv6(address)) return 'reserved'
  const carried = embeddedIPv4(address)
  if (carried !== undefined) return classifyAddress(carried)
  const special = IPV6.find(([, list]) => list.check(address, 'ipv6'))?.[0]
  return special ?? (GLOBAL_UNICAST.check(address, 'ipv6') ? 'public' : 'reserved')
}

/** Whether a metadata document may be fetched from `ip`: {@link classifyAddress} says `public`. */
export function isPublicAddress(ip: string): boolean {
  return classifyAddress(ip) === 'public'
}

/**
 * The IPv4 address an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 well-known-prefix
 * (`64:ff9b::a.b.c.d`) IPv6 address carries, in dotted form; `undefined` for any other address.
 * @see https://www.rfc-editor.org/rfc/rfc4291#section-2.5.5.2
 * @see https://www.rfc-editor.org/rfc/rfc6052#section-2.1
 */
export function embeddedIPv4(ipv6: string): string | undefined {
  const groups = hextets(ipv6)
  const zero = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0)
  const mapped = zero(0, 5) && groups[5] === 0xffff
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && zero(2, 6)
  if (!mapped && !nat64) return undefined
  const [high = 0, low = 0] = groups.slice(6)
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
}

/** The eight 16-bit groups of a valid IPv6 address. */
function hextets(ipv6: string): number[] {
  // The URL parser writes IPv6 in one form: hex groups only (no dotted tail), one `::` at most.
  const canonical = new URL(`http://[${ipv6}]/`).hostname.slice(1, -1)
  const [head = [], tail] = canonical.split('::').map((half) => (half === '' ? [] : half.split(':')))
  const gap = tail === undefined ? [] : Array<string>(8 - head.length - tail.length).fill('0')
  return [...head, ...gap, ...(tail ?? [])].map((group) => Number.parseInt(group, 16))
}
