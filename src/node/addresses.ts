// Whether a node can be reached where the genesis says it is. Peers dial a validator only at its
// genesis `addrs`, so a node that listens on another host or port runs, answers its RPC, and is
// never connected to: the chain loses a validator without anything failing loudly.

/** The host kind, host and TCP port of a multiaddr, or null when it is not ip4/ip6/dns over TCP. */
export function tcpEndpoint(addr: string): { proto: string; host: string; port: number } | null {
  const m = /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d{1,5})(?:\/p2p\/[^/]+)?$/.exec(addr)
  if (!m) return null
  const port = Number(m[3])
  return port > 65535 ? null : { proto: m[1]!, host: m[2]!, port }
}

const WILDCARD = new Set(['0.0.0.0', '::'])

/** True when a socket bound to `listen` accepts connections made to `target` (same port; same host, or every interface). */
export function serves(listen: string, target: string): boolean {
  if (listen === target) return true
  const l = tcpEndpoint(listen), t = tcpEndpoint(target)
  if (!l || !t || l.port !== t.port || l.port === 0) return false
  if (WILDCARD.has(l.host)) return l.proto === 'ip6' || t.proto !== 'ip6'
  return l.proto === t.proto && l.host === t.host
}

/**
 * The genesis addresses of a node that none of its `listen` addresses serves and that the
 * operator did not declare in `announce` (reached through a port forward or NAT). Empty = reachable.
 */
export function unreachableAddrs(genesisAddrs: readonly string[], listen: readonly string[], announce: readonly string[] = []): string[] {
  return genesisAddrs.filter((a) => !announce.includes(a) && !listen.some((l) => serves(l, a)))
}

/**
 * The operator's fix for an unreachable validator, one line: `setting(addrs)` says how to set the
 * listen addresses where the operator sets them (config.json, or a command's flags).
 */
export function reachabilityFix(id: string, missing: readonly string[], listen: readonly string[], setting: (addrs: string[]) => string): string {
  const wild = missing.map((a) => {
    const e = tcpEndpoint(a)
    return e ? `/${e.proto === 'ip6' ? 'ip6' : 'ip4'}/${e.proto === 'ip6' ? '::' : '0.0.0.0'}/tcp/${e.port}` : a
  })
  return `validator ${id} is dialled by its peers at ${missing.join(', ')} (genesis), but it would listen on ${listen.join(', ') || 'nothing'}: ` +
    `${setting([...missing])} (or ${setting(wild)} for every interface), or declare the address with "announce" if a port forward reaches this node there`
}
