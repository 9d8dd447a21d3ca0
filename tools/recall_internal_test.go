package tools

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/redact"
)

// What one account's calls wrote is hidden in that account's later calls
// only: the newest recallValues values (one written again is new again) of
// the recallAccounts accounts written to last.
func TestRecallIsPerAccountAndBounded(t *testing.T) {
	var r recall
	base := redact.New()
	if r.apply("", base) != base {
		t.Fatal("nothing written: the redactor should be the same")
	}
	r.add("tenant:a", []string{"VERYSECRETVALUE99", "12345.0", "abc"})
	hides := func(account, v string) bool {
		return !strings.Contains(r.apply(account, base).String("it is "+v+"."), v)
	}
	if !hides("tenant:a", "VERYSECRETVALUE99") || !hides("tenant:a", "12345") {
		t.Fatal("account a's values (12345.0 as Ada stores it, 12345, too) are shown in its later call")
	}
	if hides("tenant:b", "VERYSECRETVALUE99") || hides("", "VERYSECRETVALUE99") {
		t.Fatal("account a's value is hidden from another account: it learns that a wrote it")
	}
	for i := range recallValues - 1 {
		r.add("tenant:a", []string{fmt.Sprintf("value-%04d", i)})
	}
	r.add("tenant:a", []string{"VERYSECRETVALUE99"}) // written again: the newest
	r.add("tenant:a", []string{"value-last"})
	if !hides("tenant:a", "VERYSECRETVALUE99") || hides("tenant:a", "value-0000") || !hides("tenant:a", "value-last") {
		t.Fatal("not the newest recallValues values")
	}
	for i := range recallAccounts - 1 {
		r.add(fmt.Sprint("tenant:", i), []string{"other-account-value"})
	}
	r.add("tenant:a", []string{"VERYSECRETVALUE99"}) // a written to again: the most recent
	r.add("tenant:new", []string{"other-account-value"})
	if !hides("tenant:a", "VERYSECRETVALUE99") || hides("tenant:0", "other-account-value") || len(*r.accounts.Load()) != recallAccounts {
		t.Fatalf("the accounts written to last are not the ones kept: %d accounts", len(*r.accounts.Load()))
	}
}
