"""Plivo's Python example for the PHLO Multi-Party Call API, run against Partyline.

This is the API reference's example ("Add user to a Multi-Party Call" and the
member actions) with two changes only: the PHLO base URL points at Partyline
(``phlo_client.phlo_base_uri``), and the ids come from the environment.

Env: PL_BASE_URL (http://127.0.0.1:PORT), PL_AUTH_ID, PL_AUTH_TOKEN,
PL_PHLO_ID, PL_NODE_ID, PL_TRIGGER_SOURCE, PL_TO, PL_ROLE (default agent),
PL_MODE = call (default) | member | run, PL_MPC_ACTION = call (default) |
warm_transfer | cold_transfer, PL_MEMBER and PL_ACTION for member, PL_PAYLOAD
(a JSON object) for run.

Prints one line of JSON describing what the SDK returned or raised; exits 0
when the SDK call succeeded, 1 when the SDK raised, 2 when misused.
"""
import json
import os
import sys

import plivo

SDK = 'python'
MEMBER_ACTIONS = ('hold', 'unhold', 'hangup', 'resume_call', 'voicemail_drop',
                  'abort_transfer', 'mute', 'unmute')
MPC_ACTIONS = ('call', 'warm_transfer', 'cold_transfer')


def plain(value):
    """What the SDK handed back, as JSON: its response objects' public fields."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    fields = getattr(value, '__dict__', None)
    if fields is None:
        return str(value)
    return {k: plain(v) for k, v in fields.items()
            if not k.startswith('_') and k != 'client'}


def emit(outcome, code):
    sys.stdout.write(json.dumps(outcome) + '\n')
    sys.stdout.flush()
    sys.exit(code)


def usage(mode, message):
    emit({'ok': False, 'sdk': SDK, 'mode': mode, 'step': 'usage',
          'error_class': 'UsageError', 'message': message}, 2)


mode = os.environ.get('PL_MODE') or 'call'
base_url = os.environ.get('PL_BASE_URL', '').rstrip('/')
auth_id = os.environ.get('PL_AUTH_ID', '')
auth_token = os.environ.get('PL_AUTH_TOKEN', '')
phlo_id = os.environ.get('PL_PHLO_ID', '')
node_id = os.environ.get('PL_NODE_ID', '')
if not base_url:
    usage(mode, 'PL_BASE_URL is required')
if mode not in ('call', 'member', 'run'):
    usage(mode, 'PL_MODE must be call, member or run')

# Refuse a mode or action this SDK lacks before anything is sent.
mpc_action = os.environ.get('PL_MPC_ACTION') or 'call'
member_action = os.environ.get('PL_ACTION', '')
payload = {}
if mode == 'call' and mpc_action not in MPC_ACTIONS:
    usage(mode, 'PL_MPC_ACTION must be one of ' + ', '.join(MPC_ACTIONS))
if mode == 'member' and member_action not in MEMBER_ACTIONS:
    usage(mode, 'the Python SDK offers member actions ' + ', '.join(MEMBER_ACTIONS))
if mode == 'run':
    try:
        payload = json.loads(os.environ.get('PL_PAYLOAD') or '{}')
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        usage(mode, 'PL_PAYLOAD must be a JSON object')

step = 'client'
result = {}
try:
    phlo_client = plivo.phlo.RestClient(auth_id=auth_id, auth_token=auth_token)
    # The one change to Plivo's example: talk to Partyline, not phlorunner.plivo.com.
    phlo_client.phlo_base_uri = base_url + '/v1'

    step = 'get_phlo'
    phlo = phlo_client.phlo.get(phlo_id)
    result['phlo'] = plain(phlo)

    if mode == 'run':
        step = 'run'
        response = phlo.run(**payload)
    else:
        step = 'get_node'
        multi_party_call = phlo.multi_party_call(node_id)
        result['node'] = plain(multi_party_call)
        if mode == 'call':
            trigger_source = os.environ.get('PL_TRIGGER_SOURCE', '')
            to = os.environ.get('PL_TO', '')
            role = os.environ.get('PL_ROLE', 'agent')
            step = mpc_action
            response = getattr(multi_party_call, mpc_action)(trigger_source, to, role)
        else:
            member_address = os.environ.get('PL_MEMBER', '')
            step = 'member_' + member_action
            response = getattr(multi_party_call.member(member_address), member_action)()
except plivo.exceptions.PlivoRestError as e:
    emit({'ok': False, 'sdk': SDK, 'mode': mode, 'step': step,
          'error_class': type(e).__name__, 'message': str(e)}, 1)
except Exception as e:  # the SDK failing in any other way is still the SDK failing
    emit({'ok': False, 'sdk': SDK, 'mode': mode, 'step': step,
          'error_class': type(e).__name__, 'message': str(e)}, 1)

body = plain(response)
fields = body if isinstance(body, dict) else {}
result.update({'ok': True, 'sdk': SDK, 'mode': mode, 'step': step,
               'api_id': fields.get('api_id'), 'error': fields.get('error', ''),
               'response': body})
emit(result, 0)
