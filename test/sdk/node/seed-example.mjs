// Plivo's Node example for the PHLO Multi-Party Call API, run against Partyline.
//
// This is the API reference's example ("Add member to multi party call" and
// the member actions, `plivo` 4.79.0 from npm) with two changes only: the
// PhloClient gets Partyline's URL (`{ url }`, the SDK's own option), and the
// ids come from the environment.
//
// Env: PL_BASE_URL (http://127.0.0.1:PORT), PL_AUTH_ID, PL_AUTH_TOKEN,
// PL_PHLO_ID, PL_NODE_ID, PL_TRIGGER_SOURCE, PL_TO, PL_ROLE (default agent),
// PL_MODE = call (default) | member | run, PL_MPC_ACTION = call (default) |
// warm_transfer | cold_transfer, PL_MEMBER and PL_ACTION for member,
// PL_PAYLOAD (a JSON object) for run.
//
// Prints one line of JSON describing what the SDK returned or raised; exits 0
// when the SDK call succeeded, 1 when the SDK raised, 2 when misused.
//
// In 4.79.0 every member action on `multiPartyCall(id).member(address)`
// rejects with "TypeError: client is not a function" before sending anything
// (PLIVO-SDK-WIRE.md, Node); only `multiPartyCall(id).abortTransfer(address)`
// reaches the server. This program shows that as it is: no workaround.
import plivo from 'plivo';

const SDK = 'node';
const PhloClient = plivo.PhloClient;

// PL_ACTION (the wire name) -> the method the Node SDK offers for it.
const MEMBER_METHODS = {
  hold: 'hold',
  unhold: 'unhold',
  hangup: 'hangup',
  resume_call: 'resumeCall',
  voicemail_drop: 'voicemailDrop',
};
const MPC_METHODS = { call: 'call', warm_transfer: 'warmTransfer', cold_transfer: 'coldTransfer' };

const env = process.env;
const mode = env.PL_MODE || 'call';
const baseUrl = (env.PL_BASE_URL || '').replace(/\/+$/, '');
const authId = env.PL_AUTH_ID;
const authToken = env.PL_AUTH_TOKEN;
const phloId = env.PL_PHLO_ID;
const mpcId = env.PL_NODE_ID;

function emit(outcome, code) {
  process.stdout.write(JSON.stringify(outcome) + '\n', () => process.exit(code));
}

function usage(message) {
  emit({ ok: false, sdk: SDK, mode, step: 'usage', error_class: 'UsageError', message }, 2);
}

/** What the SDK handed back, as JSON (its response classes' own fields). */
function plain(value) {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

async function main() {
  if (!baseUrl) return usage('PL_BASE_URL is required');
  if (!['call', 'member', 'run'].includes(mode)) {
    return usage('PL_MODE must be call, member or run');
  }
  // Refuse a mode or action this SDK lacks before anything is sent.
  const mpcAction = env.PL_MPC_ACTION || 'call';
  const memberAction = env.PL_ACTION;
  if (mode === 'call' && !Object.hasOwn(MPC_METHODS, mpcAction)) {
    return usage('PL_MPC_ACTION must be one of ' + Object.keys(MPC_METHODS).join(', '));
  }
  if (
    mode === 'member' &&
    memberAction !== 'abort_transfer' &&
    !Object.hasOwn(MEMBER_METHODS, memberAction)
  ) {
    return usage(
      'the Node SDK offers member actions ' +
        [...Object.keys(MEMBER_METHODS), 'abort_transfer'].join(', '),
    );
  }
  let payload;
  if (mode === 'run' && env.PL_PAYLOAD) {
    try {
      payload = JSON.parse(env.PL_PAYLOAD);
    } catch {
      payload = null;
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      return usage('PL_PAYLOAD must be a JSON object');
    }
  }

  const result = {};
  let step = 'client';
  try {
    // The one change to Plivo's example: talk to Partyline, not phlorunner.plivo.com.
    const phloClient = new PhloClient(authId, authToken, { url: baseUrl + '/v1' });
    let response;
    if (mode === 'run') {
      // Run phlo
      step = 'run';
      response = await (payload === undefined
        ? phloClient.phlo(phloId).run()
        : phloClient.phlo(phloId).run(payload));
    } else {
      // Get Phlo details by phlo id. (The MPC node cannot be retrieved with this
      // SDK: multiPartyCall.get throws "action is not defined" before sending.)
      step = 'get_phlo';
      result.phlo = plain(await phloClient.phlo.get(phloId));
      const multiPartyCall = phloClient.phlo(phloId).multiPartyCall(mpcId);
      if (mode === 'call') {
        // Add member to multi party call
        const mpcSourceNo = env.PL_TRIGGER_SOURCE;
        const mpcTargetNo = env.PL_TO;
        const role = env.PL_ROLE === undefined ? 'agent' : env.PL_ROLE;
        step = mpcAction;
        response = await multiPartyCall[MPC_METHODS[mpcAction]](mpcSourceNo, mpcTargetNo, role);
      } else {
        const memberAddress = env.PL_MEMBER;
        step = 'member_' + memberAction;
        response = await (memberAction === 'abort_transfer'
          ? multiPartyCall.abortTransfer(memberAddress)
          : multiPartyCall.member(memberAddress)[MEMBER_METHODS[memberAction]]());
      }
    }
    const body = plain(response);
    const fields = body !== null && typeof body === 'object' ? body : {};
    Object.assign(result, {
      ok: true,
      sdk: SDK,
      mode,
      step,
      api_id: fields.apiId ?? null,
      error: fields.error ?? '',
      response: body,
    });
    emit(result, 0);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    emit(
      {
        ok: false,
        sdk: SDK,
        mode,
        step,
        error_class: error.constructor.name,
        message: error.message,
      },
      1,
    );
  }
}

main();
