package commands

import (
	"testing"
)

// TestOutputGolden pins the human and machine output of the metadata
// commands. Run `go test ./internal/commands -update` and review the diff
// after an intended change.
func TestOutputGolden(t *testing.T) {
	cli := newTestCLI(t)
	v := canary(t)
	const tok1, tok2 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
	cli.mustRun(v+"-1", "create", "prod/db/password", "--description", "orders database", "--tag", "team=payments", "--tag", "env=prod", "--idempotency-key", tok1)
	cli.mustRun(v+"-2", "put", "prod/db/password", "--idempotency-key", tok2)
	cli.mustRun(v+"-3", "create", "prod/api-key", "--idempotency-key", "33333333-3333-4333-8333-333333333333")

	var all []string
	for _, tc := range []struct {
		name string
		tty  bool
		args []string
	}{
		{"list-piped", false, []string{"list"}},
		{"list-tty", true, []string{"list", "--no-color"}},
		{"list-json", false, []string{"list", "-o", "json"}},
		{"describe-tty", true, []string{"describe", "prod/db/password", "--no-color"}},
		{"describe-yaml", false, []string{"describe", "prod/db/password", "-o", "yaml"}},
		{"versions-piped", false, []string{"versions", "prod/db/password"}},
		{"versions-tty", true, []string{"versions", "prod/db/password", "--no-color"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cli.tty = tc.tty
			r := cli.mustRun("", tc.args...)
			golden(t, tc.name, normalise(r.out))
			all = append(all, r.out, r.errOut)
		})
	}
	cli.tty = false
	assertNoLeak(t, v, all...)
}
