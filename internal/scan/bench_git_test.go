package scan

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// writeBenchHistory builds in dir the history of bench/scan.sh section 2:
// commits commits over six files, each rewriting every line of one file;
// every 50th commit adds a provider-shaped token or a password literal
// (made at run time by a Park-Miller generator) that the next commit to the
// file drops again.
func writeBenchHistory(tb testing.TB, dir string, commits int) {
	tb.Helper()
	seed := int64(20240101)
	rnd := func(n int) int {
		seed = (seed * 16807) % 2147483647
		return int(float64(seed) / 2147483647 * float64(n))
	}
	tok := func(alpha string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[rnd(len(alpha))]
		}
		return string(b)
	}
	const (
		alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	)
	files := []string{"config/app.yaml", "src/server.go", "src/db.js", "scripts/deploy.sh", "README.md", ".env"}
	rev := map[string]int{}
	var in bytes.Buffer
	for c := 1; c <= commits; c++ {
		path := files[c%len(files)]
		rev[path]++
		extra := ""
		if c%50 == 0 {
			switch c / 50 % 4 {
			case 0:
				extra = "export GITHUB_TOKEN=" + "gh" + "p_" + tok(alnum, 36) + "\n"
			case 1:
				extra = "AWS_ACCESS_KEY_ID=" + "AK" + "IA" + tok(upper, 16) + "\n"
			case 2:
				extra = "stripe_key: " + "sk_" + "live_" + tok(alnum, 32) + "\n"
			default:
				extra = "password: \"Bench-" + tok(alnum, 12) + "\"\n"
			}
		}
		var body strings.Builder
		body.WriteString("# " + path + "\n")
		for i := 1; i <= 120; i++ {
			fmt.Fprintf(&body, "line %d of %s rev %d\n", i, path, rev[path])
		}
		body.WriteString(extra)
		ts := 1704067200 + c*600
		msg := fmt.Sprintf("change %s (%d)", path, c)
		fmt.Fprintf(&in, "commit refs/heads/main\nmark :%d\n", c)
		fmt.Fprintf(&in, "author Bench <bench@example.com> %d +0000\ncommitter Bench <bench@example.com> %d +0000\n", ts, ts)
		fmt.Fprintf(&in, "data %d\n%s\n", len(msg), msg)
		if c > 1 {
			fmt.Fprintf(&in, "from :%d\n", c-1)
		}
		fmt.Fprintf(&in, "M 100644 inline %s\ndata %d\n%s\n\n", path, body.Len(), body.String())
	}
	run := func(stdin *bytes.Buffer, args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(cmd.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
		if stdin != nil {
			cmd.Stdin = stdin
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Fatalf("git %s: %v\n%s", args[0], err, out)
		}
	}
	run(nil, "init", "-q", "--template=", "-b", "main", ".")
	run(&in, "fast-import", "--quiet")
	run(nil, "reset", "-q", "--hard", "main")
}

// BenchmarkScanGit scans a generated history of 3000 commits.
func BenchmarkScanGit(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git not installed")
	}
	dir := b.TempDir()
	writeBenchHistory(b, dir, 3000)
	b.ResetTimer()
	var bytes int64
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), Options{Paths: []string{dir}, Git: true, NoConfig: true})
		if err != nil {
			b.Fatal(err)
		}
		bytes = res.Bytes
	}
	b.SetBytes(bytes)
}
