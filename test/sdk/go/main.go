// Plivo's Go example for the PHLO Multi-Party Call API, run against Partyline.
//
// This is Plivo's example (testMultiPartyCallCall and the member actions,
// github.com/plivo/plivo-go/v7 v7.60.2) with two changes only: the client's
// BaseUrl points at Partyline (an exported field of PhloClient), and the ids
// come from the environment.
//
// Env: PL_BASE_URL (http://127.0.0.1:PORT), PL_AUTH_ID, PL_AUTH_TOKEN,
// PL_PHLO_ID, PL_NODE_ID, PL_TRIGGER_SOURCE, PL_TO, PL_ROLE (default agent),
// PL_MODE = call (default) | member | run, PL_MPC_ACTION = call (default) |
// warm_transfer | cold_transfer, PL_MEMBER and PL_ACTION for member,
// PL_PAYLOAD (a JSON object) for run.
//
// Prints one line of JSON describing what the SDK returned or raised; exits 0
// when the SDK call succeeded, 1 when the SDK returned an error, 2 when
// misused.
//
// As in Plivo's example, the caller fills in the payload's action: the SDK's
// Call/WarmTransfer/ColdTransfer send the struct as given. (Plivo's published
// example spells the warm-transfer action "warm_tranfer"; this program sends
// the action the API documents.)
package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"

	plivo "github.com/plivo/plivo-go/v7"
)

const sdk = "go"

var memberActions = []string{"hold", "unhold", "hangup", "resume_call", "voicemail_drop", "abort_transfer"}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func emit(outcome map[string]interface{}, code int) {
	line, _ := json.Marshal(outcome)
	fmt.Println(string(line))
	os.Exit(code)
}

func main() {
	mode := os.Getenv("PL_MODE")
	if mode == "" {
		mode = "call"
	}
	step := "client"
	fail := func(err error) {
		emit(map[string]interface{}{"ok": false, "sdk": sdk, "mode": mode, "step": step,
			"error_class": fmt.Sprintf("%T", err), "message": err.Error()}, 1)
	}
	usage := func(message string) {
		emit(map[string]interface{}{"ok": false, "sdk": sdk, "mode": mode, "step": "usage",
			"error_class": "UsageError", "message": message}, 2)
	}

	baseUrl := strings.TrimRight(os.Getenv("PL_BASE_URL"), "/")
	if baseUrl == "" {
		usage("PL_BASE_URL is required")
	}
	if mode != "call" && mode != "member" && mode != "run" {
		usage("PL_MODE must be call, member or run")
	}
	// Refuse a mode or action this SDK lacks before anything is sent.
	mpcAction := os.Getenv("PL_MPC_ACTION")
	if mpcAction == "" {
		mpcAction = "call"
	}
	memberAction := os.Getenv("PL_ACTION")
	if mode == "call" && !contains([]string{"call", "warm_transfer", "cold_transfer"}, mpcAction) {
		usage("PL_MPC_ACTION must be one of call, warm_transfer, cold_transfer")
	}
	if mode == "member" && !contains(memberActions, memberAction) {
		usage("the Go SDK offers member actions " + strings.Join(memberActions, ", "))
	}
	var params map[string]interface{} // nil (no payload) unless PL_PAYLOAD is set
	if payload := os.Getenv("PL_PAYLOAD"); mode == "run" && payload != "" {
		if json.Unmarshal([]byte(payload), &params) != nil || params == nil {
			usage("PL_PAYLOAD must be a JSON object")
		}
	}
	authId := os.Getenv("PL_AUTH_ID")
	authToken := os.Getenv("PL_AUTH_TOKEN")
	phloId := os.Getenv("PL_PHLO_ID")
	nodeId := os.Getenv("PL_NODE_ID")
	result := map[string]interface{}{}

	phloClient, err := plivo.NewPhloClient(authId, authToken, &plivo.ClientOptions{})
	if err != nil {
		fail(err)
	}
	// The one change to Plivo's example: talk to Partyline, not phlorunner.plivo.com.
	phloClient.BaseUrl, err = url.Parse(baseUrl)
	if err != nil {
		usage("PL_BASE_URL: " + err.Error())
	}

	step = "get_phlo"
	phloGet, err := phloClient.Phlos.Get(phloId)
	if err != nil {
		fail(err)
	}
	result["phlo"] = phloGet

	var response interface{}
	switch mode {
	case "run":
		step = "run"
		run, err := phloGet.Run(params)
		if err != nil {
			fail(err)
		}
		response = run
	default:
		step = "get_node"
		MPCGet, err := phloGet.MultiPartyCall(nodeId)
		if err != nil {
			fail(err)
		}
		result["node"] = MPCGet.Node
		if mode == "call" {
			actionTo := os.Getenv("PL_TO")
			actionSource := os.Getenv("PL_TRIGGER_SOURCE")
			actionRole, set := os.LookupEnv("PL_ROLE")
			if !set {
				actionRole = "agent"
			}
			action := mpcAction
			callPayload := plivo.PhloMultiPartyCallActionPayload{
				action,
				actionTo,
				actionRole,
				actionSource,
			}
			step = action
			var r *plivo.NodeActionResponse
			switch action {
			case "call":
				r, err = MPCGet.Call(callPayload)
			case "warm_transfer":
				r, err = MPCGet.WarmTransfer(callPayload)
			case "cold_transfer":
				r, err = MPCGet.ColdTransfer(callPayload)
			}
			if err != nil {
				fail(err)
			}
			response = r
		} else {
			member := MPCGet.Member(os.Getenv("PL_MEMBER"))
			action := memberAction
			step = "member_" + action
			var r *plivo.NodeActionResponse
			switch action {
			case "hold":
				r, err = member.Hold()
			case "unhold":
				r, err = member.UnHold()
			case "hangup":
				r, err = member.HangUp()
			case "resume_call":
				r, err = member.ResumeCall()
			case "voicemail_drop":
				r, err = member.VoiceMailDrop()
			case "abort_transfer":
				r, err = member.AbortTransfer()
			}
			if err != nil {
				fail(err)
			}
			response = r
		}
	}

	// The fields the SDK decoded, under their JSON names.
	var body map[string]interface{}
	raw, _ := json.Marshal(response)
	_ = json.Unmarshal(raw, &body)
	result["ok"] = true
	result["sdk"] = sdk
	result["mode"] = mode
	result["step"] = step
	result["api_id"] = body["api_id"]
	result["error"] = ""
	if e, ok := body["error"]; ok {
		result["error"] = e
	}
	result["response"] = body
	emit(result, 0)
}
