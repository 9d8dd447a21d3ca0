package adaclient_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

const (
	personaJSON     = `{"personality":["friendly"],"emoji_usage":false,"allowed_emojis":"","default_timezone":"UTC","company_description":null,"community_guidelines_url":"https://example.com/g","message_length":"normal","ask_for_more_help":true,"no_customer_pi":true,"no_competitors":false,"competitor_names":null,"enable_acknowledgment_messages":true,"future":1}`
	instructionJSON = `{"id":"66b0000000000000000000a1","title":"Gold","text":"Offer free shipping.","enabled":true,"notes":null,"availability_rules":"v(\"plan_type\") == \"gold\"","future":[1]}`
)

func TestAIAgentRequestsMatchAdasPaths(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/api")
		switch {
		case p == "/v2/persona/":
			status(200, personaJSON)(w, r)
		case p == "/v2/variables/":
			status(200, `{"data":[{"id":"v1","name":"plan_type"}]}`)(w, r)
		case strings.HasPrefix(p, "/v2/variables/"):
			status(200, `{"id":"v1","name":"plan_type"}`)(w, r)
		case p == "/v2/custom-instructions/" && r.Method == "GET":
			status(200, `{"data":[`+instructionJSON+`],"meta":{"next_page_url":"https://x.ada.support/api/v2/custom-instructions/?cursor=66b0000000000000000000a2&limit=1"}}`)(w, r)
		case p == "/v2/custom-instructions/":
			status(201, instructionJSON)(w, r)
		case r.Method == "DELETE":
			w.WriteHeader(http.StatusNoContent)
		default:
			status(200, instructionJSON)(w, r)
		}
	})
	c := rec.client(t)
	ctx := context.Background()

	p, _, err := c.AIAgent.GetPersona(ctx)
	if err != nil || p.MessageLength != "normal" || p.CompanyDescription != nil || p.CommunityGuidelinesURL == nil || !p.AskForMoreHelp {
		t.Fatalf("GetPersona = %+v, %v", p, err)
	}
	cis, r, err := c.AIAgent.ListCustomInstructions(ctx, &adaclient.ListOptions{Limit: 1})
	if err != nil || len(cis) != 1 || r.NextCursor != "66b0000000000000000000a2" || cis[0].Notes != nil || cis[0].AvailabilityRules == nil {
		t.Fatalf("ListCustomInstructions = %+v, %+v, %v", cis, r, err)
	}
	steps := []func() error{
		func() error {
			_, _, err := c.AIAgent.UpdatePersona(ctx, &adaclient.PersonaUpdate{MessageLength: new("concise"), EmojiUsage: new(false)})
			return err
		},
		func() error {
			// null clears a nullable field; [] is a value, not "unchanged".
			_, _, err := c.AIAgent.UpdatePersona(ctx, &adaclient.PersonaUpdate{CompetitorNames: adaclient.Null[string](),
				CompanyDescription: adaclient.Value("Tea"), Personality: []string{}})
			return err
		},
		func() error { _, _, err := c.AIAgent.GetCustomInstruction(ctx, "66b0000000000000000000a1"); return err },
		func() error {
			_, r, err := c.AIAgent.CreateCustomInstruction(ctx, &adaclient.CustomInstructionCreate{Title: "Gold", Text: "Offer free shipping."})
			if err == nil && r.StatusCode != http.StatusCreated {
				return errors.New("create status")
			}
			return err
		},
		func() error {
			_, _, err := c.AIAgent.CreateCustomInstruction(ctx, &adaclient.CustomInstructionCreate{Title: "Gold", Text: "x", Enabled: new(false),
				Notes: "n", AvailabilityRules: `v("region") == "EU"`})
			return err
		},
		func() error {
			_, _, err := c.AIAgent.UpdateCustomInstruction(ctx, "66b0000000000000000000a1", &adaclient.CustomInstructionUpdate{Notes: new(""),
				AvailabilityRules: adaclient.Null[string]()})
			return err
		},
		func() error { _, err := c.AIAgent.DeleteCustomInstruction(ctx, "66b0000000000000000000a1"); return err },
		func() error {
			vs, _, err := c.AIAgent.ListVariables(ctx)
			if err == nil && (len(vs) != 1 || vs[0] != adaclient.Variable{ID: "v1", Name: "plan_type"}) {
				return errors.New("variables not decoded")
			}
			return err
		},
		func() error { _, _, err := c.AIAgent.GetVariable(ctx, "v1"); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	wantReqs := []wantRequest{
		{"GET", "/api/v2/persona/", "", ""},
		{"GET", "/api/v2/custom-instructions/", "limit=1", ""},
		{"PATCH", "/api/v2/persona/", "", `{"emoji_usage":false,"message_length":"concise"}`},
		{"PATCH", "/api/v2/persona/", "", `{"personality":[],"company_description":"Tea","competitor_names":null}`},
		{"GET", "/api/v2/custom-instructions/66b0000000000000000000a1", "", ""},
		{"POST", "/api/v2/custom-instructions/", "", `{"title":"Gold","text":"Offer free shipping."}`},
		{"POST", "/api/v2/custom-instructions/", "", `{"title":"Gold","text":"x","enabled":false,"notes":"n","availability_rules":"v(\"region\") == \"EU\""}`},
		{"PATCH", "/api/v2/custom-instructions/66b0000000000000000000a1", "", `{"notes":"","availability_rules":null}`},
		{"DELETE", "/api/v2/custom-instructions/66b0000000000000000000a1", "", ""},
		{"GET", "/api/v2/variables/", "", ""},
		{"GET", "/api/v2/variables/v1", "", ""},
	}
	rec.expect(t, wantReqs)
}

func TestAIAgentRetrySafety(t *testing.T) {
	ctx := context.Background()
	create := &adaclient.CustomInstructionCreate{Title: "Gold", Text: "x"}
	runRetryCases(t, []retryCase{
		{"persona GET is retried", []http.HandlerFunc{status(500, errorJSON), status(200, personaJSON)},
			func(c *adaclient.Client) error { _, _, err := c.AIAgent.GetPersona(ctx); return err }, 2, false},
		{"persona PATCH is retried", []http.HandlerFunc{hangUp, status(200, personaJSON)},
			func(c *adaclient.Client) error {
				_, _, err := c.AIAgent.UpdatePersona(ctx, &adaclient.PersonaUpdate{EmojiUsage: new(true)})
				return err
			}, 2, false},
		{"instruction PATCH is retried", []http.HandlerFunc{status(503, errorJSON), status(200, instructionJSON)},
			func(c *adaclient.Client) error {
				_, _, err := c.AIAgent.UpdateCustomInstruction(ctx, "i1", &adaclient.CustomInstructionUpdate{Enabled: new(false)})
				return err
			}, 2, false},
		{"instruction DELETE is retried", []http.HandlerFunc{status(502, "<html>bad gateway</html>"), status(204, "")},
			func(c *adaclient.Client) error { _, err := c.AIAgent.DeleteCustomInstruction(ctx, "i1"); return err }, 2, false},
		{"variables GET is retried", []http.HandlerFunc{truncated, status(200, `{"data":[]}`)},
			func(c *adaclient.Client) error { _, _, err := c.AIAgent.ListVariables(ctx); return err }, 2, false},
		{"create after a 500 is sent once", []http.HandlerFunc{status(500, errorJSON), status(201, instructionJSON)},
			func(c *adaclient.Client) error {
				_, _, err := c.AIAgent.CreateCustomInstruction(ctx, create)
				return err
			}, 1, true},
		{"create whose answer is lost is sent once", []http.HandlerFunc{hangUp, status(201, instructionJSON)},
			func(c *adaclient.Client) error {
				_, _, err := c.AIAgent.CreateCustomInstruction(ctx, create)
				return err
			}, 1, true},
		{"create after a 429 is resent", []http.HandlerFunc{status(429, errorJSON, "Retry-After", "0"), status(201, instructionJSON)},
			func(c *adaclient.Client) error {
				_, _, err := c.AIAgent.CreateCustomInstruction(ctx, create)
				return err
			}, 2, false},
		{"create's 409 is not retried", []http.HandlerFunc{status(409, errorJSON), status(201, instructionJSON)},
			func(c *adaclient.Client) error {
				_, _, err := c.AIAgent.CreateCustomInstruction(ctx, create)
				if adaclient.IsConflict(err) {
					return nil
				}
				return err
			}, 1, false},
	})
}

func TestAIAgentLocalValidationSendsNothing(t *testing.T) {
	rec := newRecorder(t, status(200, `{}`))
	c := rec.client(t)
	ctx := context.Background()
	cases := []struct {
		name  string
		field string
		call  func() error
	}{
		{"empty persona update", "persona", func() error { _, _, err := c.AIAgent.UpdatePersona(ctx, &adaclient.PersonaUpdate{}); return err }},
		{"nil persona update", "persona", func() error { _, _, err := c.AIAgent.UpdatePersona(ctx, nil); return err }},
		{"message_length outside the enum", "message_length", func() error {
			_, _, err := c.AIAgent.UpdatePersona(ctx, &adaclient.PersonaUpdate{MessageLength: new("long")})
			return err
		}},
		{"create without title", "title", func() error {
			_, _, err := c.AIAgent.CreateCustomInstruction(ctx, &adaclient.CustomInstructionCreate{Text: "x"})
			return err
		}},
		{"create without text", "text", func() error {
			_, _, err := c.AIAgent.CreateCustomInstruction(ctx, &adaclient.CustomInstructionCreate{Title: "t", Text: " "})
			return err
		}},
		{"nil create", "title", func() error { _, _, err := c.AIAgent.CreateCustomInstruction(ctx, nil); return err }},
		{"blank rule on create", "availability_rules", func() error {
			_, _, err := c.AIAgent.CreateCustomInstruction(ctx, &adaclient.CustomInstructionCreate{Title: "t", Text: "x", AvailabilityRules: "  "})
			return err
		}},
		{"empty update", "custom_instruction", func() error {
			_, _, err := c.AIAgent.UpdateCustomInstruction(ctx, "i1", &adaclient.CustomInstructionUpdate{})
			return err
		}},
		{"blank title on update", "title", func() error {
			_, _, err := c.AIAgent.UpdateCustomInstruction(ctx, "i1", &adaclient.CustomInstructionUpdate{Title: new("")})
			return err
		}},
		{"blank rule on update", "availability_rules", func() error {
			_, _, err := c.AIAgent.UpdateCustomInstruction(ctx, "i1", &adaclient.CustomInstructionUpdate{AvailabilityRules: adaclient.Value("")})
			return err
		}},
		{"update ..", "id", func() error {
			_, _, err := c.AIAgent.UpdateCustomInstruction(ctx, "..", &adaclient.CustomInstructionUpdate{Enabled: new(true)})
			return err
		}},
		{"get without id", "id", func() error { _, _, err := c.AIAgent.GetCustomInstruction(ctx, ""); return err }},
		{"delete .", "id", func() error { _, err := c.AIAgent.DeleteCustomInstruction(ctx, "."); return err }},
		{"variable without id", "id", func() error { _, _, err := c.AIAgent.GetVariable(ctx, " "); return err }},
		{"limit over 100", "limit", func() error {
			_, _, err := c.AIAgent.ListCustomInstructions(ctx, &adaclient.ListOptions{Limit: 101})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ve *adaclient.ValidationError
			if err := tc.call(); !errors.As(err, &ve) || ve.Field != tc.field {
				t.Fatalf("err = %v, want a *ValidationError for %s", err, tc.field)
			}
		})
	}
	if got := rec.count.Load(); got != 0 {
		t.Fatalf("%d requests were sent for invalid input", got)
	}
}
