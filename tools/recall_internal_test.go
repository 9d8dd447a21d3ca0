package tools

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/redact"
)

// What one account's calls wrote is hidden in that account's later calls
// only, the newest recallValues values of the recallAccounts accounts
// written to last.
func TestRecallIsPerAccountAndBounded(t *testing.T) {
	var r recall
	a, b := new(adaclient.Client), new(adaclient.Client)
	base := redact.New()
	if r.apply(a, base) != base {
		t.Fatal("nothing written: the redactor should be the same")
	}
	r.add(a, []string{"VERYSECRETVALUE99"})
	hides := func(c *adaclient.Client, v string) bool {
		return !strings.Contains(r.apply(c, base).String("it is "+v), v)
	}
	if !hides(a, "VERYSECRETVALUE99") {
		t.Fatal("account a's value is shown in its later call")
	}
	if hides(b, "VERYSECRETVALUE99") {
		t.Fatal("account a's value is hidden from account b: b learns that a wrote it")
	}
	for i := range recallValues {
		r.add(a, []string{fmt.Sprintf("value-%04d", i)})
	}
	if hides(a, "VERYSECRETVALUE99") || !hides(a, "value-0000") || !hides(a, fmt.Sprintf("value-%04d", recallValues-1)) {
		t.Fatal("not the newest recallValues values")
	}
	for range recallAccounts {
		r.add(new(adaclient.Client), []string{"other-account-value"})
	}
	if hides(a, "value-0000") || len(*r.accounts.Load()) != recallAccounts || len(r.order) != recallAccounts {
		t.Fatalf("the account written to least recently is kept: %d accounts", len(*r.accounts.Load()))
	}
}
