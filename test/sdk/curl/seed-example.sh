#!/usr/bin/env bash
# Plivo's curl example for the PHLO Multi-Party Call API, run against Partyline.
#
# The commands are the API reference's (`curl -i --user AUTH_ID:AUTH_TOKEN
# -H "Content-Type: application/json" -d '{...}' URL`), verbatim but for the
# host (PL_BASE_URL instead of https://phlorunner.plivo.com) and the ids,
# which come from the environment.
#
# Env: PL_BASE_URL (http://127.0.0.1:PORT), PL_AUTH_ID, PL_AUTH_TOKEN,
# PL_PHLO_ID, PL_NODE_ID, PL_TRIGGER_SOURCE, PL_TO, PL_ROLE (default agent),
# PL_MODE = call (default) | member | run, PL_MPC_ACTION = call (default) |
# warm_transfer | cold_transfer, PL_MEMBER and PL_ACTION for member (any
# action: curl sends what it is told), PL_PAYLOAD (a JSON object, sent as is)
# for run.
#
# Prints one line of JSON: {"ok", "sdk":"curl", "mode", "step", "status",
# "api_id", "error", "response"} (response = the body, parsed if JSON); exits
# 0 for a 2xx answer, 1 for any other answer or a curl failure, 2 when misused.
set -u

mode="${PL_MODE:-call}"
base="${PL_BASE_URL:-}"
base="${base%/}"
role="${PL_ROLE-agent}"
mpc_action="${PL_MPC_ACTION:-call}"

usage() {
  printf '{"ok":false,"sdk":"curl","mode":"%s","step":"usage","error_class":"UsageError","message":"%s"}\n' "$mode" "$1"
  exit 2
}

# A value placed inside a JSON string in the -d body.
j() {
  local s="${1//\\/\\\\}"
  printf '%s' "${s//\"/\\\"}"
}

[ -n "$base" ] || usage "PL_BASE_URL is required"
AUTH_ID="${PL_AUTH_ID:-}"
AUTH_TOKEN="${PL_AUTH_TOKEN:-}"
phlo_id="${PL_PHLO_ID:-}"
node_id="${PL_NODE_ID:-}"

out="$(mktemp)"
trap 'rm -f "$out"' EXIT

case "$mode" in
  call)
    case "$mpc_action" in call | warm_transfer | cold_transfer) ;; *) usage "PL_MPC_ACTION must be one of call, warm_transfer, cold_transfer" ;; esac
    step="$mpc_action"
    curl -i --user "$AUTH_ID:$AUTH_TOKEN" \
      -H "Content-Type: application/json" \
      -d "{\"action\": \"$(j "$mpc_action")\", \"to\": \"$(j "${PL_TO:-}")\", \"role\": \"$(j "$role")\", \"trigger_source\": \"$(j "${PL_TRIGGER_SOURCE:-}")\"}" \
      "$base/v1/phlo/$phlo_id/multi_party_call/$node_id" >"$out" 2>/dev/null
    ;;
  member)
    [ -n "${PL_ACTION:-}" ] || usage "PL_ACTION is required"
    step="member_${PL_ACTION}"
    curl -i --user "$AUTH_ID:$AUTH_TOKEN" \
      -H "Content-Type: application/json" \
      -d "{\"action\": \"$(j "$PL_ACTION")\"}" \
      "$base/v1/phlo/$phlo_id/multi_party_call/$node_id/members/${PL_MEMBER:-}" >"$out" 2>/dev/null
    ;;
  run)
    step="run"
    curl -i --user "$AUTH_ID:$AUTH_TOKEN" \
      -H "Content-Type: application/json" \
      -d "${PL_PAYLOAD:-{\}}" \
      "$base/v1/account/$AUTH_ID/phlo/$phlo_id" >"$out" 2>/dev/null
    ;;
  *) usage "PL_MODE must be call, member or run" ;;
esac
rc=$?

# Turn curl -i's output (status line, headers, body) into the one-line report.
node --input-type=module -e '
import { readFileSync } from "node:fs";
const [, file, rc, mode, step] = process.argv;
const raw = readFileSync(file, "latin1");
const report = { sdk: "curl", mode, step };
if (rc !== "0") {
  Object.assign(report, { ok: false, error_class: "CurlError", message: "curl exited with " + rc });
  console.log(JSON.stringify(report));
  process.exit(1);
}
// Skip interim answers (100 Continue); the last head is the real one.
let rest = raw;
let head = "";
do {
  const end = rest.indexOf("\r\n\r\n");
  head = end < 0 ? rest : rest.slice(0, end);
  rest = end < 0 ? "" : rest.slice(end + 4);
} while (/^HTTP\/\S+ 1\d\d/.test(head) && rest.startsWith("HTTP/"));
const status = Number(/^HTTP\/\S+ (\d{3})/.exec(head)?.[1] ?? 0);
const body = Buffer.from(rest, "latin1").toString("utf8");
let response = body;
try { response = JSON.parse(body); } catch {}
const fields = response !== null && typeof response === "object" ? response : {};
const ok = status >= 200 && status < 300;
Object.assign(report, { ok, status, api_id: fields.api_id ?? null, error: fields.error ?? "", response });
if (!ok) Object.assign(report, { error_class: "HTTP " + status, message: typeof fields.error === "string" ? fields.error : body });
console.log(JSON.stringify(report));
process.exit(ok ? 0 : 1);
' "$out" "$rc" "$mode" "$step"
exit $?
