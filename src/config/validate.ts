/** Checks a parsed configuration document field by field; errors name the path ("sip.port"). */
import { isIP } from 'node:net';
import { DEFAULT_CONFIG, LOG_LEVELS, type Config } from './config.js';
import { ConfigError, int, isObject, oneOf, str, unknownKeys } from './checks.js';
import { validateServerSections } from './server-sections.js';
import { parseProxy, type NatMode, type TrunkConfig } from '../sip/ua/index.js';

const NAT_MODES = ['auto', 'always', 'never'] as const satisfies readonly NatMode[];

/** `ip`, `ip:port` or `[ipv6]:port`, as node:dns setServers takes them. */
function isDnsServer(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  if (isIP(v)) return true;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):([0-9]{1,5})$/.exec(v);
  if (!m) return false;
  const port = Number(m[3]);
  return isIP(m[1] ?? m[2]!) !== 0 && port >= 1 && port <= 65535;
}

export { ConfigError };

function trunk(v: unknown, i: number): TrunkConfig {
  const p = `sip.trunks[${i}].`;
  if (!isObject(v)) throw new ConfigError(`sip.trunks[${i}]: must be an object`);
  unknownKeys(
    v,
    [
      'name',
      'host',
      'port',
      'transport',
      'username',
      'password',
      'realm',
      'numberFormat',
      'fromDomain',
      'prefixes',
      'register',
      'registerExpires',
      'outboundProxy',
    ],
    p,
  );
  const t: TrunkConfig = {
    name: str(v.name ?? `trunk${i}`, `${p}name`),
    host: str(v.host, `${p}host`),
  };
  if (v.port !== undefined) t.port = int(v.port, `${p}port`, 1, 65535);
  if (v.transport !== undefined)
    t.transport = oneOf(v.transport, `${p}transport`, ['udp', 'tcp'] as const);
  if (v.username !== undefined) t.username = str(v.username, `${p}username`);
  if (v.password !== undefined) {
    if (typeof v.password !== 'string') throw new ConfigError(`${p}password: must be a string`);
    t.password = v.password;
  }
  if ((t.username === undefined) !== (t.password === undefined)) {
    throw new ConfigError(`${p}username/password: give both or neither`);
  }
  if (v.realm !== undefined) t.realm = str(v.realm, `${p}realm`);
  if (v.numberFormat !== undefined)
    t.numberFormat = oneOf(v.numberFormat, `${p}numberFormat`, ['e164', 'digits'] as const);
  if (v.fromDomain !== undefined) t.fromDomain = str(v.fromDomain, `${p}fromDomain`);
  if (v.prefixes !== undefined) {
    if (
      !Array.isArray(v.prefixes) ||
      !v.prefixes.every((x) => typeof x === 'string' && /^\+?[0-9]*$/.test(x))
    ) {
      throw new ConfigError(`${p}prefixes: must be a list of digit strings like "+1" or "44"`);
    }
    t.prefixes = v.prefixes as string[];
  }
  if (v.register !== undefined) {
    if (typeof v.register !== 'boolean')
      throw new ConfigError(`${p}register: must be true or false`);
    t.register = v.register;
  }
  if (v.registerExpires !== undefined)
    t.registerExpires = int(v.registerExpires, `${p}registerExpires`, 60, 86_400);
  if (v.outboundProxy !== undefined) {
    const proxy = str(v.outboundProxy, `${p}outboundProxy`);
    if (!parseProxy(proxy))
      throw new ConfigError(
        `${p}outboundProxy: must be host, host:port or a sip: URI (got "${proxy}")`,
      );
    t.outboundProxy = proxy;
  }
  return t;
}

/** Merges a parsed document over the defaults, checking every field. */
export function validateConfig(doc: unknown): Config {
  const c: Config = structuredClone(DEFAULT_CONFIG);
  if (doc === undefined || doc === null) return c;
  if (!isObject(doc)) throw new ConfigError('configuration must be a JSON object');
  unknownKeys(doc, ['logLevel', 'sip', 'agent', 'http', 'media', 'limits', 'dataDir'], '');
  validateServerSections(doc, c);
  if (doc.logLevel !== undefined) {
    c.logLevel = oneOf(doc.logLevel, 'logLevel', LOG_LEVELS);
  }
  if (doc.sip !== undefined) {
    const s = doc.sip;
    if (!isObject(s)) throw new ConfigError('sip: must be an object');
    unknownKeys(
      s,
      [
        'address',
        'port',
        'transports',
        'userAgent',
        'ringTimeoutMs',
        'maxInboundTcpConnections',
        'maxInboundTcpConnectionsPerSource',
        'tcpHeaderTimeoutMs',
        'maxDialogs',
        'maxServerTransactions',
        'newRequestsPerSecondPerSource',
        'timers',
        'sessionTimer',
        'nat',
        'dnsServers',
        'trunks',
        'inboundAuth',
      ],
      'sip.',
    );
    if (s.address !== undefined) {
      c.sip.address = str(s.address, 'sip.address');
      if (!isIP(c.sip.address))
        throw new ConfigError(`sip.address: must be an IP address (got "${c.sip.address}")`);
    }
    if (s.port !== undefined) c.sip.port = int(s.port, 'sip.port', 0, 65535);
    if (s.transports !== undefined) {
      if (!Array.isArray(s.transports) || s.transports.length === 0)
        throw new ConfigError('sip.transports: must be a non-empty list');
      c.sip.transports = s.transports.map((t, i) =>
        oneOf(t, `sip.transports[${i}]`, ['udp', 'tcp'] as const),
      );
    }
    if (s.userAgent !== undefined) c.sip.userAgent = str(s.userAgent, 'sip.userAgent');
    if (s.ringTimeoutMs !== undefined)
      c.sip.ringTimeoutMs = int(s.ringTimeoutMs, 'sip.ringTimeoutMs', 1000, 600_000);
    if (s.maxInboundTcpConnections !== undefined)
      c.sip.maxInboundTcpConnections = int(
        s.maxInboundTcpConnections,
        'sip.maxInboundTcpConnections',
        1,
        1_000_000,
      );
    if (s.maxInboundTcpConnectionsPerSource !== undefined)
      c.sip.maxInboundTcpConnectionsPerSource = int(
        s.maxInboundTcpConnectionsPerSource,
        'sip.maxInboundTcpConnectionsPerSource',
        1,
        1_000_000,
      );
    if (s.tcpHeaderTimeoutMs !== undefined)
      c.sip.tcpHeaderTimeoutMs = int(s.tcpHeaderTimeoutMs, 'sip.tcpHeaderTimeoutMs', 100, 600_000);
    if (s.maxDialogs !== undefined)
      c.sip.maxDialogs = int(s.maxDialogs, 'sip.maxDialogs', 1, 10_000_000);
    if (s.maxServerTransactions !== undefined)
      c.sip.maxServerTransactions = int(
        s.maxServerTransactions,
        'sip.maxServerTransactions',
        1,
        100_000_000,
      );
    if (s.newRequestsPerSecondPerSource !== undefined)
      c.sip.newRequestsPerSecondPerSource = int(
        s.newRequestsPerSecondPerSource,
        'sip.newRequestsPerSecondPerSource',
        0,
        10_000_000,
      );
    if (s.timers !== undefined) {
      if (!isObject(s.timers)) throw new ConfigError('sip.timers: must be an object');
      unknownKeys(s.timers, ['T1', 'T2', 'T4'], 'sip.timers.');
      for (const k of ['T1', 'T2', 'T4'] as const) {
        if (s.timers[k] !== undefined)
          c.sip.timers[k] = int(s.timers[k], `sip.timers.${k}`, 10, 120_000);
      }
      if (c.sip.timers.T2 < c.sip.timers.T1)
        throw new ConfigError('sip.timers: T2 must not be smaller than T1');
    }
    if (s.sessionTimer !== undefined) {
      const st = s.sessionTimer;
      if (!isObject(st)) throw new ConfigError('sip.sessionTimer: must be an object');
      unknownKeys(st, ['expiresS', 'minSeS'], 'sip.sessionTimer.');
      // RFC 4028 §4: Min-SE is at least 90 s; we ask for an interval no smaller than it.
      if (st.minSeS !== undefined)
        c.sip.sessionTimer.minSeS = int(st.minSeS, 'sip.sessionTimer.minSeS', 90, 86_400);
      if (st.expiresS !== undefined)
        c.sip.sessionTimer.expiresS = int(st.expiresS, 'sip.sessionTimer.expiresS', 90, 86_400);
      if (c.sip.sessionTimer.expiresS < c.sip.sessionTimer.minSeS)
        throw new ConfigError('sip.sessionTimer: expiresS must not be smaller than minSeS');
    }
    if (s.nat !== undefined) c.sip.nat = oneOf(s.nat, 'sip.nat', NAT_MODES);
    if (s.dnsServers !== undefined) {
      if (!Array.isArray(s.dnsServers) || !s.dnsServers.every(isDnsServer))
        throw new ConfigError(
          'sip.dnsServers: must be a list of IP addresses, each with an optional port ("192.0.2.53", "127.0.0.1:5353", "[::1]:53")',
        );
      c.sip.dnsServers = s.dnsServers as string[];
    }
    if (s.trunks !== undefined) {
      if (!Array.isArray(s.trunks)) throw new ConfigError('sip.trunks: must be a list');
      c.sip.trunks = s.trunks.map(trunk);
    }
    if (s.inboundAuth !== undefined) {
      const a = s.inboundAuth;
      if (!isObject(a)) throw new ConfigError('sip.inboundAuth: must be an object');
      unknownKeys(a, ['realm', 'users', 'algorithms'], 'sip.inboundAuth.');
      if (!isObject(a.users) || !Object.values(a.users).every((p) => typeof p === 'string')) {
        throw new ConfigError('sip.inboundAuth.users: must map user names to passwords');
      }
      c.sip.inboundAuth = {
        realm: str(a.realm, 'sip.inboundAuth.realm'),
        users: a.users as Record<string, string>,
      };
      if (a.algorithms !== undefined) {
        if (!Array.isArray(a.algorithms) || a.algorithms.length === 0) {
          throw new ConfigError('sip.inboundAuth.algorithms: must be a non-empty list');
        }
        c.sip.inboundAuth.algorithms = a.algorithms.map((x, i) =>
          oneOf(x, `sip.inboundAuth.algorithms[${i}]`, ['SHA-256', 'MD5'] as const),
        );
      }
    }
  }
  if (doc.agent !== undefined) {
    const a = doc.agent;
    if (!isObject(a)) throw new ConfigError('agent: must be an object');
    unknownKeys(a, ['mode', 'answerAfterMs', 'rejectStatus', 'maxCallMs'], 'agent.');
    if (a.mode !== undefined)
      c.agent.mode = oneOf(a.mode, 'agent.mode', ['answer', 'reject', 'ring'] as const);
    if (a.answerAfterMs !== undefined)
      c.agent.answerAfterMs = int(a.answerAfterMs, 'agent.answerAfterMs', 0, 600_000);
    if (a.rejectStatus !== undefined)
      c.agent.rejectStatus = int(a.rejectStatus, 'agent.rejectStatus', 300, 699);
    if (a.maxCallMs !== undefined)
      c.agent.maxCallMs = int(a.maxCallMs, 'agent.maxCallMs', 0, 86_400_000);
  }
  return c;
}
