package partyline.sdk;

import com.plivo.api.PartylineBaseUrl;
import com.plivo.api.Plivo;
import com.plivo.api.models.node.MultiPartyCall;
import com.plivo.api.models.node.MultiPartyCallUpdateResponse;
import com.plivo.api.models.node.MultiPartyCallUpdater;
import com.plivo.api.models.phlo.Phlo;
import com.plivo.api.models.phlo.PhloUpdateResponse;
import com.plivo.api.models.phlo.PhloUpdater;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plivo's Java example for the PHLO Multi-Party Call API, run against Partyline.
 *
 * <p>This is Plivo's example ("add a member to a multi-party call" and the member actions,
 * com.plivo:plivo-java 5.46.3) with two changes only: the PHLO base URL points at Partyline (set
 * before {@code Plivo.init}, see {@link PartylineBaseUrl}), and the ids come from the environment.
 *
 * <p>Env: PL_BASE_URL (http://127.0.0.1:PORT), PL_AUTH_ID, PL_AUTH_TOKEN, PL_PHLO_ID, PL_NODE_ID,
 * PL_TRIGGER_SOURCE, PL_TO, PL_ROLE (default agent), PL_MODE = call (default) | member | run,
 * PL_MPC_ACTION = call (default) | warm_transfer | cold_transfer, PL_MEMBER and PL_ACTION for
 * member, PL_PAYLOAD (a flat JSON object) for run.
 *
 * <p>Prints one line of JSON describing what the SDK returned or threw; exits 0 when the SDK call
 * succeeded, 1 when the SDK threw, 2 when misused. (The SDK itself may print a line first, e.g.
 * "Improperly formed json..." from {@code PhloUpdater.run()}: the result is the last line.)
 */
public final class SeedExample {
  private static final String SDK = "java";
  private static final List<String> MEMBER_ACTIONS =
      Arrays.asList("hold", "unhold", "hangup", "resume_call", "voicemail_drop", "abort_transfer");
  private static final List<String> MPC_ACTIONS =
      Arrays.asList("call", "warm_transfer", "cold_transfer");

  private SeedExample() {}

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    String mode = env.getOrDefault("PL_MODE", "");
    if (mode.isEmpty()) mode = "call";
    String baseUrl = env.getOrDefault("PL_BASE_URL", "").replaceAll("/+$", "");
    String authId = env.get("PL_AUTH_ID");
    String authToken = env.get("PL_AUTH_TOKEN");
    String phloId = env.get("PL_PHLO_ID");
    String nodeId = env.get("PL_NODE_ID");

    // Refuse a mode or action this SDK lacks before anything is sent.
    String mpcAction = env.getOrDefault("PL_MPC_ACTION", "");
    if (mpcAction.isEmpty()) mpcAction = "call";
    String memberAction = env.getOrDefault("PL_ACTION", "");
    Map<String, Object> payload = null;
    if (baseUrl.isEmpty()) usage(mode, "PL_BASE_URL is required");
    if (!Arrays.asList("call", "member", "run").contains(mode)) {
      usage(mode, "PL_MODE must be call, member or run");
    }
    if (mode.equals("call") && !MPC_ACTIONS.contains(mpcAction)) {
      usage(mode, "PL_MPC_ACTION must be one of " + String.join(", ", MPC_ACTIONS));
    }
    if (mode.equals("member") && !MEMBER_ACTIONS.contains(memberAction)) {
      usage(mode, "the Java SDK offers member actions " + String.join(", ", MEMBER_ACTIONS));
    }
    if (mode.equals("run") && !env.getOrDefault("PL_PAYLOAD", "").isEmpty()) {
      payload = Json.parseFlatObject(env.get("PL_PAYLOAD"));
      if (payload == null) usage(mode, "PL_PAYLOAD must be a flat JSON object");
    }

    Map<String, Object> result = new LinkedHashMap<>();
    String step = "client";
    try {
      // The one change to Plivo's example: talk to Partyline, not phlorunner.plivo.com.
      PartylineBaseUrl.set(baseUrl + "/v1/");
      Plivo.init(authId, authToken);

      step = "get_phlo";
      Phlo phlo = Phlo.getter(phloId).get();
      result.put("phlo", phloFields(phlo));

      Map<String, Object> response;
      if (mode.equals("run")) {
        step = "run";
        PhloUpdater updater = Phlo.updater(phloId);
        if (payload != null) updater = updater.payload(payload);
        PhloUpdateResponse run = updater.run();
        response = runFields(run);
      } else {
        step = "get_node";
        MultiPartyCall multiPartyCall = MultiPartyCall.getter(phloId, nodeId).get();
        result.put("node", nodeFields(multiPartyCall));
        MultiPartyCallUpdater updater = MultiPartyCall.updater(phloId, nodeId);
        if (mode.equals("call")) {
          String triggerSource = env.get("PL_TRIGGER_SOURCE");
          String to = env.get("PL_TO");
          String role = env.containsKey("PL_ROLE") ? env.get("PL_ROLE") : "agent";
          updater = updater.triggerSource(triggerSource).to(to).role(role);
          step = mpcAction;
          switch (mpcAction) {
            case "warm_transfer":
              updater = updater.warm_transfer();
              break;
            case "cold_transfer":
              updater = updater.cold_transfer();
              break;
            default:
              updater = updater.call();
          }
        } else {
          updater = updater.member(env.get("PL_MEMBER"));
          step = "member_" + memberAction;
          switch (memberAction) {
            case "hold":
              updater = updater.hold();
              break;
            case "unhold":
              updater = updater.unhold();
              break;
            case "hangup":
              updater = updater.hangup();
              break;
            case "resume_call":
              updater = updater.resume_call();
              break;
            case "voicemail_drop":
              updater = updater.voicemail_drop();
              break;
            default:
              updater = updater.abort_transfer();
          }
        }
        MultiPartyCallUpdateResponse update = updater.update();
        response = actionFields(update);
      }
      result.put("ok", true);
      result.put("sdk", SDK);
      result.put("mode", mode);
      result.put("step", step);
      result.put("api_id", response == null ? null : response.get("api_id"));
      Object error = response == null ? null : response.get("error");
      result.put("error", error == null ? "" : error);
      result.put("response", response);
      emit(result, 0);
    } catch (Exception e) {
      Map<String, Object> failure = new LinkedHashMap<>();
      failure.put("ok", false);
      failure.put("sdk", SDK);
      failure.put("mode", mode);
      failure.put("step", step);
      failure.put("error_class", e.getClass().getSimpleName());
      failure.put("message", e.getMessage());
      emit(failure, 1);
    }
  }

  // What the SDK decoded, under the wire names of the fields it reads.

  private static Map<String, Object> phloFields(Phlo phlo) {
    if (phlo == null) return null;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("api_id", phlo.getApiId());
    m.put("phlo_id", phlo.getId());
    m.put("name", phlo.getName());
    m.put("created_on", phlo.getCreatedOn());
    return m;
  }

  private static Map<String, Object> nodeFields(MultiPartyCall node) {
    if (node == null) return null;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("api_id", node.getApiId());
    m.put("node_id", node.getNodeId());
    m.put("phlo_id", node.getPhloId());
    m.put("name", node.getName());
    m.put("node_type", node.getNodeType());
    m.put("created_on", node.getCreatedOn());
    return m;
  }

  private static Map<String, Object> runFields(PhloUpdateResponse run) {
    if (run == null) return null;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("api_id", run.getApiId());
    m.put("phlo_run_id", run.getPhloRunId());
    m.put("phlo_id", run.getPhloId());
    m.put("message", run.getMessage());
    m.put("error", run.getError());
    return m;
  }

  private static Map<String, Object> actionFields(MultiPartyCallUpdateResponse update) {
    if (update == null) return null;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("api_id", update.getApiId());
    m.put("message", update.getMessage());
    m.put("error", update.getError());
    return m;
  }

  private static void usage(String mode, String message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", false);
    m.put("sdk", SDK);
    m.put("mode", mode);
    m.put("step", "usage");
    m.put("error_class", "UsageError");
    m.put("message", message);
    emit(m, 2);
  }

  private static void emit(Map<String, Object> outcome, int code) {
    System.out.println(Json.write(outcome));
    System.out.flush();
    System.exit(code);
  }
}
