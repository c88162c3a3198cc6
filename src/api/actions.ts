/**
 * Action and role spellings as the SDKs send them (PLIVO-SDK-WIRE.md §3.4):
 * Java may hyphenate (`warm-transfer`, `resume-call`, …) and has
 * `abort_warm_transfer`/`abort_cold_transfer` aliases; Go sends `""` for a
 * field it was not given. Everything is normalised to the service's names.
 */
import type { MemberAction, NodeAction, Role } from './service.js';

export const NODE_ACTIONS: readonly NodeAction[] = ['call', 'warm_transfer', 'cold_transfer'];

export const MEMBER_ACTIONS: readonly MemberAction[] = [
  'hold',
  'unhold',
  'hangup',
  'mute',
  'unmute',
  'resume_call',
  'voicemail_drop',
  'abort_transfer',
  'coach',
  'barge',
  'listen',
];

export const ROLES: readonly Role[] = ['agent', 'customer', 'supervisor'];

const MEMBER_ALIASES: Readonly<Record<string, MemberAction>> = {
  abort_warm_transfer: 'abort_transfer',
  abort_cold_transfer: 'abort_transfer',
};

function hyphenated(names: readonly string[]): string[] {
  return names.filter((n) => n.includes('_')).map((n) => n.replace(/_/g, '-'));
}

/** Every spelling accepted on the wire, for the request schemas ("" = absent). */
export const NODE_ACTION_SPELLINGS: readonly string[] = [
  '',
  ...NODE_ACTIONS,
  ...hyphenated(NODE_ACTIONS),
];
export const MEMBER_ACTION_SPELLINGS: readonly string[] = [
  '',
  ...MEMBER_ACTIONS,
  ...Object.keys(MEMBER_ALIASES),
  ...hyphenated([...MEMBER_ACTIONS, ...Object.keys(MEMBER_ALIASES)]),
];
export const ROLE_SPELLINGS: readonly string[] = ['', ...ROLES];

function canonical(spelling: string): string {
  return spelling.trim().toLowerCase().replace(/-/g, '_');
}

export function toNodeAction(spelling: string): NodeAction | undefined {
  const name = canonical(spelling);
  return (NODE_ACTIONS as readonly string[]).includes(name) ? (name as NodeAction) : undefined;
}

export function toMemberAction(spelling: string): MemberAction | undefined {
  const name = canonical(spelling);
  if (Object.hasOwn(MEMBER_ALIASES, name)) return MEMBER_ALIASES[name];
  return (MEMBER_ACTIONS as readonly string[]).includes(name) ? (name as MemberAction) : undefined;
}

export function toRole(spelling: string): Role | undefined {
  const name = spelling.trim().toLowerCase();
  return (ROLES as readonly string[]).includes(name) ? (name as Role) : undefined;
}
