package adasim_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/ada-mcp/ada-mcp/adasim"
)

// A client points its base URL at the simulator's /api, as it would at
// https://{handle}.ada.support/api, and talks to it with plain HTTP.
func Example() {
	sim := adasim.New(adasim.Options{APIKey: "sandbox-key", Seed: 1, Deterministic: true})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	base := srv.URL + "/api"

	call := func(method, path, body string) map[string]any {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer sandbox-key")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(data, &out)
		fmt.Println(method, path, resp.StatusCode)
		return out
	}

	// Set the end user's context first, then start the conversation: the greeting uses it.
	user := call("POST", "/v2/end-users/", `{"external_id":"crm-42","profile":{"first_name":"Ana","language":"pt-BR"}}`)
	call("POST", "/v2/end-users/", `{"external_id":"CRM-42"}`) // already mapped: 200
	conv := call("POST", "/v2/conversations/", fmt.Sprintf(`{"channel_id":%q,"end_user_id":%q}`, sim.DefaultChannelID(), user["end_user_id"]))
	messages := call("GET", fmt.Sprintf("/v2/conversations/%s/messages/", conv["id"]), "")
	greeting := messages["data"].([]any)[0].(map[string]any)
	fmt.Println(greeting["content"].(map[string]any)["body"])

	// Ids depend only on the seed and the order of requests.

	// Output:
	// POST /v2/end-users/ 201
	// POST /v2/end-users/ 200
	// POST /v2/conversations/ 201
	// GET /v2/conversations/29d115fffe61b4fc8eb8437a/messages/ 200
	// Olá Ana! Sou o AI Agent de teste do simulador Ada. Como posso ajudar?
}
