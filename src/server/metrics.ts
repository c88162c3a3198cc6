/**
 * The server's Prometheus metrics (prom-client), read when scraped: live
 * calls, members by state, dial outcomes by cause, RTP loss and jitter of
 * the live legs, mixer tick lateness. The API adds its own request latency
 * histogram to the same registry. Trunk registrations: registered or not, failures in a row.
 * The SIP stack's counters: messages by outcome, transactions alive, responses
 * sent without a transaction and the 503s shed for load, internal errors.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineStats, SipStats } from '../engine/index.js';
import type { LegHandle, MpcObserver, MpcStats } from '../mpc/index.js';

export interface MetricSources {
  mpc(): MpcStats;
  legs(): LegHandle[];
  engine(): EngineStats;
}

export interface ServerMetrics {
  registry: Registry;
  observer: MpcObserver;
}

export function createMetrics(sources: () => MetricSources | null): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'partyline_process_' });
  new Gauge({
    name: 'partyline_live_calls',
    help: 'Multi-party calls not ended',
    registers: [registry],
    collect() {
      this.set(sources()?.mpc().liveCalls ?? 0);
    },
  });
  new Gauge({
    name: 'partyline_members',
    help: 'Members of live calls, by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = sources()?.mpc();
      if (!stats) return;
      for (const [state, n] of Object.entries(stats.membersByState)) this.set({ state }, n);
    },
  });
  const outcomes = new Counter({
    name: 'partyline_dial_outcomes_total',
    help: 'Outcomes of the legs dialled: connected, busy, declined, no-answer, unreachable, canceled, failed',
    labelNames: ['outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'partyline_rtp_packets_lost',
    help: 'Packets lost (RFC 3550 A.3) summed over the live legs',
    registers: [registry],
    collect() {
      let lost = 0;
      for (const leg of sources()?.legs() ?? []) lost += leg.stats()?.packetsLost ?? 0;
      this.set(lost);
    },
  });
  new Gauge({
    name: 'partyline_rtp_jitter_ms',
    help: 'Interarrival jitter (RFC 3550 A.8) of the live legs: the largest and the mean',
    labelNames: ['stat'],
    registers: [registry],
    collect() {
      const jitters = (sources()?.legs() ?? [])
        .map((l) => l.stats())
        .filter((s) => s !== null && s.packetsReceived > 0)
        .map((s) => s!.jitterMs);
      this.set({ stat: 'max' }, jitters.length ? Math.max(...jitters) : 0);
      this.set(
        { stat: 'mean' },
        jitters.length ? jitters.reduce((a, b) => a + b, 0) / jitters.length : 0,
      );
    },
  });
  new Gauge({
    name: 'partyline_mixer_tick_lateness_ms',
    help: 'How late mixer ticks ran over the last minute, by quantile',
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      const stats = sources()?.engine().mixer.latenessMs;
      if (!stats) return;
      this.set({ quantile: '0.5' }, stats.p50);
      this.set({ quantile: '0.99' }, stats.p99);
    },
  });
  new Gauge({
    name: 'partyline_trunk_registered',
    help: 'Trunk registrations (RFC 3261 §10.2): 1 while the trunk holds our binding, else 0',
    labelNames: ['trunk'],
    registers: [registry],
    collect() {
      for (const r of sources()?.engine().registrations ?? [])
        this.set({ trunk: r.trunk }, r.state === 'registered' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'partyline_trunk_registration_failures',
    help: 'Failed REGISTERs in a row per trunk since its last success (0 when registered)',
    labelNames: ['trunk'],
    registers: [registry],
    collect() {
      for (const r of sources()?.engine().registrations ?? [])
        this.set({ trunk: r.trunk }, r.failures);
    },
  });
  sipMetrics(registry, () => sources()?.engine().sip);
  return {
    registry,
    observer: { dialOutcome: (outcome) => outcomes.inc({ outcome }) },
  };
}

/** SIP transport counters → metric label (the counters' names are the transport layer's). */
const SIP_MESSAGE_KINDS: Record<string, string> = {
  received: 'received',
  sent: 'sent',
  malformed: 'malformed',
  dropped: 'dropped',
  sendErrors: 'send_error',
};

/**
 * The SIP stack's counters. They are kept by the stack as running totals and
 * copied at scrape time, so they are exposed as counters set from that total
 * (a counter never goes down: the stack's totals only grow while it runs).
 */
function sipMetrics(registry: Registry, sip: () => SipStats | undefined): void {
  const total = (name: string, help: string, read: (s: SipStats) => number): Counter => {
    return new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const s = sip();
        if (!s) return;
        this.reset();
        this.inc(read(s));
      },
    });
  };
  new Counter({
    name: 'partyline_sip_messages_total',
    help: 'SIP messages by outcome: received, sent, malformed (answered 400 or dropped), dropped, send_error',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const s = sip();
      if (!s) return;
      this.reset();
      for (const [counter, kind] of Object.entries(SIP_MESSAGE_KINDS))
        this.inc({ kind }, s.transport[counter] ?? 0);
    },
  });
  new Gauge({
    name: 'partyline_sip_transactions',
    help: 'SIP transactions alive now (RFC 3261 §17), by side',
    labelNames: ['side'],
    registers: [registry],
    collect() {
      const s = sip();
      if (!s) return;
      this.set({ side: 'client' }, s.transactions.client);
      this.set({ side: 'server' }, s.transactions.server);
    },
  });
  new Gauge({
    name: 'partyline_sip_tcp_connections',
    help: 'SIP TCP connections open now',
    registers: [registry],
    collect() {
      const s = sip();
      if (s) this.set(s.transport.tcpConnections ?? 0);
    },
  });
  total(
    'partyline_sip_tcp_refused_total',
    'Inbound SIP TCP connections refused at the connection limit',
    (s) => s.transport.tcpRefused ?? 0,
  );
  total(
    'partyline_sip_stateless_responses_total',
    'SIP responses sent without a transaction (RFC 3261 §8.2.7), the load-shedding 503s among them',
    (s) => s.stateless,
  );
  total(
    'partyline_sip_shed_total',
    'SIP requests refused with 503 and Retry-After because the server was overloaded',
    (s) => s.shed,
  );
  total(
    'partyline_sip_internal_errors_total',
    'Bugs that SIP input met, caught before they could crash the process (the target is 0)',
    (s) => s.internalErrors,
  );
}
