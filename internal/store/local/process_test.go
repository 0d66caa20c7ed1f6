package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// The multi-process tests re-run this test binary as children, selected by
// these variables.
const (
	helperModeEnv = "SECRETCTL_LOCAL_TEST_HELPER"
	helperHomeEnv = "SECRETCTL_LOCAL_TEST_HOME"
	helperIDEnv   = "SECRETCTL_LOCAL_TEST_ID"
	concPuts      = 20
	concProcs     = 4
)

// TestHelperProcess is the child side of the multi-process tests.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperModeEnv)
	if mode == "" {
		t.Skip("child process of TestConcurrentProcesses and TestKilledWriter; runs only when they start it")
	}
	ctx := context.Background()
	s, err := Open(ctx, Options{Home: os.Getenv(helperHomeEnv), Actor: testActor})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	id := os.Getenv(helperIDEnv)
	switch mode {
	case "put":
		// The store is new: every child races to create it and the secret.
		_, err := s.Create(ctx, "conc", store.CreateInput{Value: secret.New("initial-" + id)})
		if err != nil && !errors.Is(err, store.ErrExists) {
			t.Fatalf("Create: %v", err)
		}
		var wg sync.WaitGroup
		for i := range concPuts {
			wg.Go(func() {
				if _, err := s.Put(ctx, "conc", secret.New(fmt.Sprintf("value-%s-%d", id, i)), store.PutOptions{}); err != nil {
					t.Errorf("Put %d: %v", i, err)
				}
			})
		}
		wg.Wait()
	case "loop":
		for i := 0; ; i++ {
			if _, err := s.Put(ctx, "crash", secret.New("loop-value-"+strconv.Itoa(i)), store.PutOptions{Token: uuid.NewString()}); err != nil {
				t.Fatalf("Put %d: %v", i, err)
			}
			if _, err := s.Get(ctx, "crash", store.GetOptions{}); err != nil {
				t.Fatalf("Get %d: %v", i, err)
			}
		}
	default:
		t.Fatalf("unknown helper mode %q", mode)
	}
}

func helperCmd(t *testing.T, mode, home, id string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), helperModeEnv+"="+mode, helperHomeEnv+"="+home, helperIDEnv+"="+id)
	return cmd
}

// TestConcurrentProcesses: 4 processes, each with 20 concurrent Puts, on a
// store none of them has created yet, leave exactly 80 new versions, all
// readable, and an intact audit chain.
func TestConcurrentProcesses(t *testing.T) {
	home := t.TempDir()
	var wg sync.WaitGroup
	outs := make([][]byte, concProcs)
	errs := make([]error, concProcs)
	for p := range concProcs {
		cmd := helperCmd(t, "put", home, strconv.Itoa(p))
		wg.Go(func() { outs[p], errs[p] = cmd.CombinedOutput() })
	}
	wg.Wait()
	for p := range concProcs {
		if errs[p] != nil {
			t.Fatalf("child %d: %v\n%s", p, errs[p], outs[p])
		}
	}

	s := openWith(t, Options{Home: home})
	ctx := t.Context()
	vs, err := s.Versions(ctx, "conc", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1+concProcs*concPuts {
		t.Fatalf("%d versions, want 1 initial + %d", len(vs), concProcs*concPuts)
	}
	want := map[string]bool{}
	for p := range concProcs {
		for i := range concPuts {
			want[fmt.Sprintf("value-%d-%d", p, i)] = true
		}
	}
	current := 0
	for _, v := range vs {
		got, err := s.Get(ctx, "conc", store.GetOptions{VersionID: v.VersionID})
		if err != nil {
			t.Fatalf("Get version %s: %v", v.VersionID, err)
		}
		delete(want, got.Value.RevealString())
		for _, st := range v.Stages {
			if st == store.StageCurrent {
				current++
			}
		}
	}
	if len(want) != 0 || current != 1 {
		t.Errorf("%d Put values missing; %d versions carry AWSCURRENT", len(want), current)
	}
	res, err := s.VerifyAudit(ctx)
	if err != nil || !res.OK() || len(res.Issues) != 0 {
		t.Fatalf("VerifyAudit = %+v, %v", res, err)
	}
	recs := auditRecords(t, s)
	puts := 0
	for _, r := range recs {
		if r.EventName == "PutSecretValue" && !r.Failed() {
			puts++
		}
	}
	if puts != concProcs*concPuts {
		t.Errorf("%d successful PutSecretValue records, want %d", puts, concProcs*concPuts)
	}
}

// TestKilledWriter kills a writing process with SIGKILL and checks that the
// store opens, every committed version decrypts, and the audit chain holds.
func TestKilledWriter(t *testing.T) {
	home := t.TempDir()
	s := openWith(t, Options{Home: home})
	ctx := t.Context()
	if _, err := s.Create(ctx, "crash", store.CreateInput{Value: secret.New("first")}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	cmd := helperCmd(t, "loop", home, "0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	watcher := openWith(t, Options{Home: home})
	deadline := time.Now().Add(2 * time.Minute)
	for {
		h, err := watcher.AuditHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h.Seq >= 60 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the child wrote only %d records in 2 minutes", h.Seq)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		t.Fatalf("child ended with %v, want killed", err)
	}
	watcher.Close()

	s = openWith(t, Options{Home: home})
	vs, err := s.Versions(ctx, "crash", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) < 30 {
		t.Errorf("only %d versions after %d+ records", len(vs), 60)
	}
	for _, v := range vs {
		if _, err := s.Get(ctx, "crash", store.GetOptions{VersionID: v.VersionID}); err != nil {
			t.Errorf("version %s does not decrypt: %v", v.VersionID, err)
		}
	}
	res, err := s.VerifyAudit(ctx)
	if err != nil || !res.OK() {
		t.Fatalf("VerifyAudit after the kill = %+v, %v", res, err)
	}
	for _, is := range res.Issues {
		if is.Kind != auditlog.Uncommitted {
			t.Errorf("issue after the kill: %v", is)
		}
	}
	head, _ := s.AuditHead(ctx)
	if got := len(auditRecords(t, s)); uint64(got) < head.Seq {
		t.Errorf("%d records in the log, head at seq %d", got, head.Seq)
	}
}
