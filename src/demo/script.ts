/**
 * The demo's script, step by step, each through the SDK as a user's code
 * would call it: run the example PHLO (agent, then customer), add the third
 * user with the API reference's `call`, let the third user hang up, hold
 * and unhold the customer, warm-transfer from the agent to the third user
 * and complete it by the agent hanging up, then hang everyone up. After
 * each step it waits for the members' states on the timeline, then checks
 * what every phone hears.
 */
import type { MultiPartyCall } from '@partyline/client';
import { AGENT_HOLD, CUSTOMER_HOLD, PARTS, voiceOf, type Part, type Sound } from './cast.js';
import { describeRows, listen, type Expectation, type Hearing } from './listen.js';
import type { Stage } from './stage.js';
import { Timeline } from './timeline.js';

/** Generous: CI machines are shared, and a state change is one dial or one re-mix away. */
const STATE_TIMEOUT_MS = 30_000;
const HEARING_TIMEOUT_MS = 10_000;

export interface StepResult {
  step: number;
  title: string;
  /** The SDK call the step makes, as a user would write it; null for a phone's own action. */
  sdk: string | null;
  at: string;
  hearing: Hearing | null;
  ok: boolean;
  error?: string;
}

export interface ScriptResult {
  ok: boolean;
  callId: string | null;
  steps: StepResult[];
  timeline: Timeline | null;
  error?: string;
}

interface Step {
  title: string;
  sdk: string | null;
  act(): Promise<unknown>;
  /** What the timeline must show before the phones are checked. */
  settled: () => boolean;
  settledWhat: string;
  /** part → what it must hear; every other sound in `listened` must not be heard. */
  hears: Partial<Record<Part, Sound[]>>;
}

/** Every sound a check listens for. */
const LISTENED: Sound[] = [...PARTS.map(voiceOf), AGENT_HOLD, CUSTOMER_HOLD];

export async function runScript(
  stage: Stage,
  print: (line: string) => void,
): Promise<ScriptResult> {
  const { agent, customer, third } = stage.cast.phones;
  const nameOf = (address: string): string | undefined =>
    PARTS.find((p) => stage.cast.phones[p].uri === address);
  const node: MultiPartyCall = stage.client.phlo(stage.phloId).multiPartyCall(stage.nodeId);
  const result: ScriptResult = { ok: false, callId: null, steps: [], timeline: null };
  let timeline: Timeline | null = null;
  const state = (p: Part): string | undefined => timeline?.stateOf(stage.cast.phones[p].uri);
  const is = (p: Part, s: string): boolean => state(p) === s;
  const A = voiceOf('agent');
  const C = voiceOf('customer');
  const T = voiceOf('third');

  const steps: Step[] = [
    {
      title: 'Run the example PHLO: it dials the agent, then the customer',
      sdk: `client.phlo(phloId).run({ from: '${agent.uri}', to: '${customer.uri}' })`,
      act: async () => {
        const run = await stage.client
          .phlo(stage.phloId)
          .run({ from: agent.uri, to: customer.uri });
        result.callId = run.callId;
        timeline = new Timeline(node, run.callId, print, nameOf);
        result.timeline = timeline;
      },
      settled: () => is('agent', 'connected') && is('customer', 'connected'),
      settledWhat: 'the agent and the customer connected',
      hears: { agent: [C], customer: [A] },
    },
    {
      title: "Add the third user, as in the API reference's example",
      sdk: `client.phlo(phloId).multiPartyCall(nodeId).call('${agent.uri}', '${third.uri}', 'agent')`,
      act: () => node.call(agent.uri, third.uri, 'agent'),
      settled: () => is('third', 'connected'),
      settledWhat: 'the third user connected',
      hears: { agent: [C, T], customer: [A, T], third: [A, C] },
    },
    {
      title: 'The third user hangs up (a BYE from its phone)',
      sdk: null,
      act: async () => third.hangup(),
      settled: () => is('third', 'disconnected'),
      settledWhat: 'the third user disconnected',
      hears: { agent: [C], customer: [A] },
    },
    {
      title: 'Hold the customer',
      sdk: `client.phlo(phloId).multiPartyCall(nodeId).member('${customer.uri}').hold()`,
      act: () => node.member(customer.uri).hold(),
      settled: () => is('customer', 'on_hold'),
      settledWhat: 'the customer on hold',
      hears: { agent: [], customer: [CUSTOMER_HOLD] },
    },
    {
      title: 'Unhold the customer',
      sdk: `client.phlo(phloId).multiPartyCall(nodeId).member('${customer.uri}').unhold()`,
      act: () => node.member(customer.uri).unhold(),
      settled: () => is('customer', 'connected'),
      settledWhat: 'the customer connected again',
      hears: { agent: [C], customer: [A] },
    },
    {
      title: 'Warm transfer from the agent to the third user',
      sdk: `client.phlo(phloId).multiPartyCall(nodeId).warmTransfer('${agent.uri}', '${third.uri}')`,
      act: () => node.warmTransfer(agent.uri, third.uri),
      settled: () => is('third', 'connected') && is('customer', 'on_hold'),
      settledWhat: 'the third user connected and the customer on hold',
      hears: { agent: [T], customer: [CUSTOMER_HOLD], third: [A] },
    },
    {
      title: 'The agent hangs up: the transfer completes, the customer talks to the third user',
      sdk: null,
      act: async () => agent.hangup(),
      settled: () =>
        is('agent', 'disconnected') &&
        is('customer', 'connected') &&
        (timeline?.events.some((e) => e.type === 'transfer.completed') ?? false),
      settledWhat: 'the agent disconnected, the transfer completed and the customer connected',
      hears: { customer: [T], third: [C] },
    },
    {
      title: 'Hang everyone up',
      sdk: `…member('${customer.uri}').hangup(), …member('${third.uri}').hangup()`,
      act: async () => {
        await node.member(customer.uri).hangup();
        await node.member(third.uri).hangup();
      },
      settled: () => timeline?.events.some((e) => e.type === 'call.ended') ?? false,
      settledWhat: 'the call ended',
      hears: {},
    },
  ];

  // The first step that fails ends the script: what follows would only repeat its failure
  // (each failed check waits out its whole deadline), and the call is hung up by the stop.
  for (const [i, step] of steps.entries()) {
    const r = await runStep(i + 1, step);
    result.steps.push(r);
    if (r.ok) continue;
    result.error = r.error ?? `step ${r.step} (${r.title}): a phone did not hear what it should`;
    break;
  }
  result.ok = !result.error && result.steps.every((s) => s.ok);
  const followed = timeline as Timeline | null;
  if (!result.ok) followed?.stop();
  await followed?.finished;
  return result;

  async function runStep(n: number, step: Step): Promise<StepResult> {
    print('');
    print(`▶ ${n}. ${step.title}`);
    if (step.sdk) print(`  ${step.sdk}`);
    const r: StepResult = {
      step: n,
      title: step.title,
      sdk: step.sdk,
      at: new Date().toISOString(),
      hearing: null,
      ok: false,
    };
    try {
      await step.act();
      await timeline!.until(step.settled, step.settledWhat, STATE_TIMEOUT_MS);
    } catch (err) {
      r.error = `step ${n} (${step.title}): ${(err as Error).message}`;
      print(`  ✗ ${r.error}`);
      return r;
    }
    const expect: Expectation[] = (Object.keys(step.hears) as Part[]).map((part) => ({
      part,
      phone: stage.cast.phones[part],
      hears: step.hears[part]!,
      notHears: LISTENED.filter((s) => !step.hears[part]!.includes(s)),
    }));
    if (expect.length === 0) {
      r.ok = PARTS.every((p) => !stage.cast.phones[p].inCall);
      print(r.ok ? '  ✓ every phone is back on the hook' : '  ✗ a phone is still in a call');
      return r;
    }
    const hearing = await listen(expect, HEARING_TIMEOUT_MS);
    r.hearing = hearing;
    r.ok = hearing.ok;
    for (const part of PARTS) {
      const rows = hearing.phones[part];
      if (!rows) continue;
      const bad = rows.some((m) => !m.ok);
      print(`  ${bad ? '✗' : '✓'} ${part.padEnd(8)} ${describeRows(rows)}`);
    }
    return r;
  }
}
