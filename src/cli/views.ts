/**
 * How results print: `--json` gives plain copies of what @partyline/client
 * returns (its camelCase fields: `phloId`, `callId`, …); text mode gives
 * the lines below. Kept apart from the commands so every command prints a
 * PHLO, a call or an event the same way.
 */
import type { Call, CallEvent, CallMember, Phlo } from '@partyline/client';
import { clockTime, columns, duration, serverTime } from './table.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: readonly string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

/** A PHLO's fields without the client's internals (its transport holds the credentials). */
export function phloJson(p: Phlo): Record<string, unknown> {
  return {
    apiId: p.apiId,
    phloId: p.phloId,
    name: p.name,
    version: p.version,
    createdOn: p.createdOn,
    updatedOn: p.updatedOn,
    nodes: p.nodes,
    document: p.document,
  };
}

export function phloLines(p: Phlo): string[] {
  return [
    `PHLO     ${p.phloId}`,
    `name     ${p.name}`,
    `version  ${p.version} (created ${p.createdOn}, updated ${p.updatedOn})`,
    ...columns(
      p.nodes.map((n) => ['node', n.nodeId, n.name]),
      '',
    ),
  ];
}

export function phloListLines(phlos: readonly Phlo[]): string[] {
  if (phlos.length === 0) return ['no PHLOs (partyline phlo create FILE makes one)'];
  return columns([
    ['PHLO_ID', 'VERSION', 'NODES', 'NAME'],
    ...phlos.map((p) => [p.phloId, String(p.version), String(p.nodes.length), p.name]),
  ]);
}

/** `muted,held`: the flags of a member that are set. */
function flags(m: CallMember): string {
  return [m.muted ? 'muted' : '', m.held ? 'held' : ''].filter(Boolean).join(',');
}

/** Time in call (since it joined; to when it left) or, if it never joined, why it ended. */
function inCall(m: CallMember, now: number): string {
  const joined = serverTime(m.joinedOn);
  if (Number.isNaN(joined)) return m.hangupCause ?? '';
  const left = serverTime(m.leftOn);
  return duration((Number.isNaN(left) ? now : left) - joined);
}

function ending(m: CallMember): string {
  if (m.state !== 'failed' && m.state !== 'disconnected') return '';
  return [m.hangupCause, m.sipStatus ? `SIP ${m.sipStatus}` : ''].filter(Boolean).join(' ');
}

/** One call and its members, as the `calls` table shows it. */
export function callLines(c: Call, now: number): string[] {
  const started = serverTime(c.startedOn ?? c.createdOn);
  const age = Number.isNaN(started)
    ? ''
    : ` for ${duration((serverTime(c.endedOn) || now) - started)}`;
  const head = `call ${c.callId}  ${c.state}${age}${c.endReason ? `  (${c.endReason})` : ''}`;
  if (c.members.length === 0) return [head, '  (no members yet)'];
  return [
    head,
    ...columns(
      [
        ['MEMBER', 'ROLE', 'STATE', 'FLAGS', 'IN CALL', ''],
        ...c.members.map((m) => [m.address, m.role, m.state, flags(m), inCall(m, now), ending(m)]),
      ],
      '  ',
    ),
  ];
}

export function callsLines(calls: readonly Call[], now: number, live: boolean): string[] {
  if (calls.length === 0) return [live ? 'no live calls' : 'no calls'];
  return calls.flatMap((c, i) => [...(i > 0 ? [''] : []), ...callLines(c, now)]);
}

/** One event: `#3  04:41:31.827  member.connected  sip:agent@…  {"sip_status":200}`. */
export function eventLine(
  e: CallEvent,
  addressOf: (memberId: string) => string | undefined,
): string {
  const who = e.memberId ? (addressOf(e.memberId) ?? e.memberId) : '';
  const data = Object.keys(e.data).length > 0 ? JSON.stringify(e.data) : '';
  return [`#${e.seq}`.padEnd(4), clockTime(e.at), e.type.padEnd(24), who, data]
    .filter(Boolean)
    .join('  ')
    .trimEnd();
}

/** A member as `--json` prints it beside a progress report. */
export function memberLabel(m: CallMember): string {
  return `${m.address} (${m.role})`;
}
