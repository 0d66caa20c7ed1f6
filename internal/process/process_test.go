package process

import (
	"bufio"
	"context"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
)

func env() []string { return []string{"PATH=" + os.Getenv("PATH")} }

func TestRunStatus(t *testing.T) {
	for script, want := range map[string]int{"exit 0": 0, "exit 1": 1, "exit 42": 42, "kill -TERM $$": 128 + 15, "kill -KILL $$": 128 + 9} {
		code, err := Run(context.Background(), []string{"sh", "-c", script}, Options{Env: env()})
		if err != nil || code != want {
			t.Errorf("%s: %d, %v; want %d", script, code, err, want)
		}
	}
}

func TestRunForwardsSignals(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	pr, pw := io.Pipe()
	m := NewMasker(pw, map[string]string{"TOKEN": "canary-proc-77"})
	done := make(chan int)
	go func() {
		code, _ := Run(context.Background(), []string{"sh", "-c", `trap 'echo "hup $TOKEN"; exit 9' HUP; echo ready; while :; do sleep 0.05; done`},
			Options{Env: append(env(), "TOKEN=canary-proc-77"), Stdout: m, Signals: sigs})
		m.Close()
		pw.Close()
		done <- code
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() || sc.Text() != "ready" { // the trap is set before this line is written
		t.Fatalf("first line %q", sc.Text())
	}
	sigs <- syscall.SIGHUP
	var rest []string
	for sc.Scan() {
		rest = append(rest, sc.Text())
	}
	if code := <-done; code != 9 || strings.Join(rest, "|") != "hup <TOKEN>" {
		t.Errorf("code %d, output %q", code, rest)
	}
}

func TestLookPath(t *testing.T) {
	if p, err := LookPath("sh", env()); err != nil || !strings.HasSuffix(p, "/sh") {
		t.Errorf("sh: %q %v", p, err)
	}
	if _, err := LookPath("sh", []string{"PATH=/nonexistent"}); err == nil || !strings.Contains(err.Error(), "not found in the PATH") {
		t.Errorf("sh on an empty PATH: %v", err)
	}
	if _, err := LookPath("sh", nil); err == nil {
		t.Error("no PATH: found sh")
	}
	if _, err := LookPath("/etc/passwd", nil); err == nil {
		t.Error("/etc/passwd is not executable")
	}
	if _, err := LookPath("", nil); err == nil {
		t.Error("empty name")
	}
	if _, err := Run(context.Background(), []string{"no-such-cmd"}, Options{Env: env()}); err == nil {
		t.Error("Run of a missing command: no error")
	}
}
