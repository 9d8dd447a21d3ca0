package adaclient_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// endUserByPath answers GET and PATCH /v2/end-users/{id} with an end user
// whose every string spells the id, so a value decoded from one response
// and later overwritten by another's bytes would show.
func endUserByPath(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	w.Header().Set("Content-Type", "application/json")
	if strings.HasPrefix(id, "f") {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"errors":[{"type":"not_found","message":"no end user %s"}]}`, id)
		return
	}
	fmt.Fprintf(w, `{"end_user_id":%q,"external_id":"ext-%s","profile":{"first_name":"first-%s","metadata":{"k-%s":"v-%s","n":%d}}}`,
		id, id, id, id, id, len(id))
}

// TestReusedBuffersKeepResultsApart: response bodies are read into
// reused buffers, and bodiless requests share the client's headers. An end
// user decoded from one response must keep its values after other
// responses are read, concurrently too, and so must an error's message;
// a request with a body must send its Content-Type, and no request after
// it may.
func TestReusedBuffersKeepResultsApart(t *testing.T) {
	rec := newRecorder(t, endUserByPath)
	c := rec.client(t)
	ctx := context.Background()

	first, _, err := c.EndUsers.Get(ctx, "aaaaaaaaaaaaaaaaaaaaaaaa")
	if err != nil {
		t.Fatal(err)
	}
	missing := "ffffffffffffffffffffffff"
	_, _, notFound := c.EndUsers.Get(ctx, missing)
	var er *adaclient.ErrorResponse
	if !errors.As(notFound, &er) || len(er.Errors) != 1 {
		t.Fatalf("Get(%s) = %v, want Ada's 404", missing, notFound)
	}
	if _, _, err := c.EndUsers.Update(ctx, "bbbbbbbbbbbbbbbbbbbbbbbb", &adaclient.UpdateEndUserRequest{
		Profile: adaclient.ProfileInput{FirstName: adaclient.Value("B")}}); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 16)
	got := make([]*adaclient.EndUser, len(ids))
	var wg sync.WaitGroup
	for i := range ids {
		ids[i] = fmt.Sprintf("%024x", i+1)
		wg.Go(func() {
			u, _, err := c.EndUsers.Get(ctx, ids[i])
			if err != nil {
				t.Error(err)
			}
			got[i] = u
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	check := func(u *adaclient.EndUser, id string) {
		t.Helper()
		if u.EndUserID != id || *u.ExternalID != "ext-"+id || *u.Profile.FirstName != "first-"+id ||
			u.Profile.Metadata["k-"+id] != "v-"+id || fmt.Sprint(u.Profile.Metadata["n"]) != fmt.Sprint(len(id)) {
			t.Errorf("end user %s decoded as %+v, profile %+v", id, u, u.Profile)
		}
	}
	check(first, "aaaaaaaaaaaaaaaaaaaaaaaa")
	if msg := er.Errors[0].Message; msg != "no end user "+missing {
		t.Errorf("the 404's message reads %q after other responses", msg)
	}
	for i, id := range ids {
		check(got[i], id)
	}

	for _, r := range rec.requests() {
		if r.Auth != "Bearer "+testKey {
			t.Errorf("%s %s: Authorization %q", r.Method, r.Path, r.Auth)
		}
		want := ""
		if r.Method != http.MethodGet {
			want = "application/json"
		}
		if r.ContentType != want {
			t.Errorf("%s %s: Content-Type %q, want %q", r.Method, r.Path, r.ContentType, want)
		}
	}
}
