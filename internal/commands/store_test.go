package commands

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
)

// backends returns a CLI per backend: the local store, and the AWS backend
// against kumo in-process through the real SDK.
func backends(t *testing.T) map[string]*testCLI {
	local := newTestCLI(t)
	aws := newTestCLI(t)
	endpoint := awsxtest.StartKumo(t)
	aws.env["SECRETCTL_BACKEND"] = "aws"
	aws.env["SECRETCTL_REGION"] = "us-east-1"
	aws.env["SECRETCTL_ENDPOINT_URL"] = endpoint
	// The SDK reads credentials from the process environment.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDSECRETCTLTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secretctl-test-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return map[string]*testCLI{"local": local, "aws-kumo": aws}
}

// TestLifecycle is the user journey on both backends: create, get,
// put, get AWSPREVIOUS, versions, rollback, list and describe (no value),
// delete, get fails with "marked for deletion", restore, delete --force.
func TestLifecycle(t *testing.T) {
	for name, cli := range backends(t) {
		t.Run(name, func(t *testing.T) {
			id := fmt.Sprintf("it/%s/db-%d", name, os.Getpid())
			v1, v2 := canary(t)+"-one", canary(t)+"-two"
			var outs []string
			keep := func(r result) result { outs = append(outs, r.out, r.errOut); return r }

			keep(cli.mustRun(v1, "create", id, "--description", "lifecycle test", "--tag", "team=qa"))
			if got := keep(cli.mustRun("", "get", id)).out; got != v1 {
				t.Fatalf("get after create = %q, want the first value", got)
			}
			keep(cli.mustRun(v2, "put", id))
			if got := keep(cli.mustRun("", "get", id)).out; got != v2 {
				t.Fatalf("get after put = %q, want the second value", got)
			}
			if got := keep(cli.mustRun("", "get", id, "--stage", "AWSPREVIOUS")).out; got != v1 {
				t.Fatalf("get --stage AWSPREVIOUS = %q, want the first value", got)
			}

			var js struct {
				Name, ARN, VersionID, Value string
				Stages                      []string
			}
			r := cli.mustRun("", "get", id, "-o", "json")
			if err := json.Unmarshal([]byte(r.out), &js); err != nil {
				t.Fatalf("get -o json: %v\n%s", err, r.out)
			}
			if js.Name != id || js.Value != v2 || js.VersionID == "" || !strings.Contains(js.ARN, ":secret:"+id+"-") || len(js.Stages) == 0 || js.Stages[0] != "AWSCURRENT" {
				t.Errorf("get -o json = %+v", js)
			}

			if name == "local" { // kumo has no ListSecretVersionIds or UpdateSecretVersionStage
				vs := keep(cli.mustRun("", "versions", id)).out
				if n := strings.Count(vs, "\n"); n != 2 || !strings.Contains(vs, "AWSCURRENT") || !strings.Contains(vs, "AWSPREVIOUS") {
					t.Errorf("versions = %q, want two versions with AWSCURRENT and AWSPREVIOUS", vs)
				}
				keep(cli.mustRun("", "rollback", id))
				if got := keep(cli.mustRun("", "get", id)).out; got != v1 {
					t.Fatalf("get after rollback = %q, want the first value", got)
				}
				if got := keep(cli.mustRun("", "get", id, "--stage", "AWSPREVIOUS")).out; got != v2 {
					t.Fatalf("AWSPREVIOUS after rollback = %q, want the second value", got)
				}
			}

			list := keep(cli.mustRun("", "list", "it/"+name+"/"))
			if !strings.Contains(list.out, id) {
				t.Errorf("list = %q, want %s", list.out, id)
			}
			keep(cli.mustRun("", "list", "--tag", "team=qa", "-o", "json"))
			desc := keep(cli.mustRun("", "describe", id, "-o", "json"))
			if !strings.Contains(desc.out, "lifecycle test") || !strings.Contains(desc.out, "AWSCURRENT") {
				t.Errorf("describe = %s", desc.out)
			}
			keep(cli.mustRun("", "describe", id))

			keep(cli.mustRun("", "delete", id, "--recovery-days", "7"))
			r = keep(cli.run("", "get", id))
			if r.code != 2 || !strings.Contains(r.errOut, "marked for deletion") || strings.Count(strings.TrimSpace(r.errOut), "\n") != 0 {
				t.Errorf("get after delete: exit %d, stderr %q; want exit 2 and one line saying marked for deletion", r.code, r.errOut)
			}
			if r := keep(cli.mustRun("", "describe", id)); !strings.Contains(r.out, "DeletionDate") {
				t.Errorf("describe of a deleted secret lacks DeletionDate: %s", r.out)
			}
			if name == "local" { // kumo has no RestoreSecret
				keep(cli.mustRun("", "restore", id))
				if got := keep(cli.mustRun("", "get", id)).out; got != v1 {
					t.Fatalf("get after restore = %q", got)
				}
			}
			keep(cli.mustRun("", "delete", id, "--force"))
			if r := keep(cli.run("", "get", id)); r.code != 2 {
				t.Errorf("get after delete --force: exit %d", r.code)
			}

			// Only get printed the values: every other output is clean.
			for i := 0; i < len(outs); i++ {
				if strings.Contains(outs[i], v1) || strings.Contains(outs[i], v2) {
					if i%2 == 0 && strings.TrimSpace(outs[i]) != "" && (outs[i] == v1 || outs[i] == v2) {
						continue // the stdout of a get
					}
					t.Errorf("a value leaked into output %d: %q", i, outs[i])
				}
			}
		})
	}
}

func TestGetKey(t *testing.T) {
	cli := newTestCLI(t)
	pw := canary(t)
	cli.mustRun(`{"username":"app","password":"`+pw+`","port":5432}`, "create", "db/json")
	if got := cli.mustRun("", "get", "db/json", "--key", "password").out; got != pw {
		t.Errorf("get --key password = %q", got)
	}
	if got := cli.mustRun("", "get", "db/json", "--key", "port").out; got != "5432" {
		t.Errorf("get --key port = %q", got)
	}
	r := cli.run("", "get", "db/json", "--key", "nope")
	if r.code != 2 || !strings.Contains(r.errOut, `no field "nope"`) {
		t.Errorf("missing key: exit %d, %q", r.code, r.errOut)
	}
	assertNoLeak(t, pw, r.errOut, r.out)
	cli.mustRun("plain", "create", "db/plain")
	r = cli.run("", "get", "db/plain", "--key", "password")
	if r.code != 2 || strings.Contains(r.errOut, "plain\n") {
		t.Errorf("--key on a non-JSON value: exit %d, %q", r.code, r.errOut)
	}
}

// TestBadInput: each gives exit 2 and a one-line error, never a panic.
func TestBadInput(t *testing.T) {
	cli := newTestCLI(t)
	cli.mustRun("v", "create", "exists")
	big := strings.Repeat("a", 65537)
	cases := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"invalid name", "v", []string{"create", "bad name!"}, "invalid character"},
		{"long name", "v", []string{"create", strings.Repeat("n", 513)}, "1 to 512"},
		{"oversize value", big, []string{"create", "big"}, "larger than 65536"},
		{"missing secret", "", []string{"get", "nope"}, "secret not found"},
		{"exists", "v", []string{"create", "exists"}, "already exists"},
		{"unknown flag", "", []string{"get", "--nope", "x"}, "unknown flag"},
		{"unknown command", "", []string{"fetch"}, "unknown command"},
		{"missing arg", "", []string{"get"}, "missing the secret NAME"},
		{"bad recovery", "", []string{"delete", "exists", "--recovery-days", "3"}, "7 to 30"},
		{"bad backend", "", []string{"--backend", "vault", "list"}, "invalid backend"},
		{"bad output", "", []string{"-o", "xml", "list"}, "invalid output format"},
		{"bad tag", "", []string{"tag", "exists", "novalue"}, "key=value"},
		{"empty put", "", []string{"put", "exists"}, "no value given"},
		{"two sources", "", []string{"put", "exists", "--generate", "--from-env", "X"}, "only one of"},
		{"update nothing", "", []string{"update", "exists"}, "nothing to change"},
		{"unreachable endpoint", "", []string{"--backend", "aws", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1", "get", "x"}, "127.0.0.1:1"},
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDSECRETCTLTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secretctl-test-secret")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cli.run(tc.stdin, tc.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", r.code, r.errOut)
			}
			first := strings.SplitN(r.errOut, "\n", 2)[0]
			if !strings.HasPrefix(first, "secretctl: ") || !strings.Contains(first, tc.want) {
				t.Errorf("stderr %q: want one line 'secretctl: ...%s...'", r.errOut, tc.want)
			}
			if lines := strings.Count(strings.TrimSpace(r.errOut), "\n"); lines > 0 {
				t.Errorf("stderr has %d lines: %q", lines+1, r.errOut)
			}
			if strings.Contains(r.errOut, "panic") || strings.Contains(r.errOut, "goroutine") {
				t.Errorf("stderr shows a panic: %q", r.errOut)
			}
		})
	}
}

func TestWrongKey(t *testing.T) {
	cli := newTestCLI(t)
	v := canary(t)
	cli.mustRun(v, "create", "k/one")
	other := newTestCLI(t)
	other.mustRun("x", "init") // a second store with another key
	cli.env["SECRETCTL_KEY_FILE"] = filepath.Join(other.home, "key.txt")
	r := cli.run("", "get", "k/one")
	if r.code != 2 || !strings.Contains(r.errOut, "cannot unlock") {
		t.Errorf("wrong key: exit %d, stderr %q", r.code, r.errOut)
	}
	assertNoLeak(t, v, r.out, r.errOut)
}

// TestConcurrentProcesses: 4 secretctl processes x 20 concurrent puts each
// leave exactly 80 new versions, and every one decrypts.
func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	cli := newTestCLI(t)
	cli.mustRun("initial", "create", "conc/secret")
	const procs, puts = 4, 20
	var wg sync.WaitGroup
	errs := make(chan error, procs*puts)
	for p := 0; p < procs; p++ {
		wg.Add(1)
		go func(p int) { // one worker: 20 put processes, one after another
			defer wg.Done()
			for i := 0; i < puts; i++ {
				cmd := exec.Command(os.Args[0], "put", "conc/secret")
				cmd.Env = append(os.Environ(), "SECRETCTL_TEST_MAIN=1", "SECRETCTL_HOME="+cli.home)
				cmd.Stdin = strings.NewReader(fmt.Sprintf("value-%d-%d", p, i))
				if out, err := cmd.CombinedOutput(); err != nil {
					errs <- fmt.Errorf("put %d/%d: %v: %s", p, i, err, out)
				}
			}
		}(p)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	r := cli.mustRun("", "versions", "conc/secret", "--include-deprecated", "-o", "json")
	var vs []struct{ VersionID string }
	if err := json.Unmarshal([]byte(r.out), &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) != procs*puts+1 {
		t.Errorf("%d versions, want %d (1 initial + %d puts)", len(vs), procs*puts+1, procs*puts)
	}
	seen := map[string]bool{}
	for _, v := range vs {
		r := cli.mustRun("", "get", "conc/secret", "--version-id", v.VersionID)
		if seen[r.out] {
			t.Errorf("value %q stored twice", r.out)
		}
		seen[r.out] = true
	}
}

// TestTruncatedStore: an emptied store.db is an error, not a new store,
// and nothing is moved or lost.
func TestTruncatedStore(t *testing.T) {
	cli := newTestCLI(t)
	cli.mustRun("v", "create", "t/one")
	db := filepath.Join(cli.home, "store.db")
	for _, p := range []string{db, db + "-wal", db + "-shm"} {
		os.Truncate(p, 0)
	}
	logBefore, _ := os.ReadFile(filepath.Join(cli.home, "audit.log"))
	r := cli.run("", "list")
	if r.code != 2 || !strings.Contains(r.errOut, "the store file is empty or was replaced") || strings.Count(strings.TrimSpace(r.errOut), "\n") != 0 {
		t.Errorf("list on an emptied store: exit %d, stderr %q", r.code, r.errOut)
	}
	logAfter, _ := os.ReadFile(filepath.Join(cli.home, "audit.log"))
	if string(logAfter) != string(logBefore) {
		t.Error("the audit log changed")
	}
	matches, _ := filepath.Glob(filepath.Join(cli.home, "audit-*.log"))
	if len(matches) != 0 {
		t.Errorf("the audit log was moved aside: %v", matches)
	}
}

func TestSmallInputChecks(t *testing.T) {
	cli := newTestCLI(t)
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, nil, 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "x", "--generate", "--length", "0"}, "--length must be 1 to 4096"},
		{[]string{"create", "x", "--from-file", empty}, "is empty"},
		{[]string{"list", "-o", "xml"}, `invalid output format "xml": use table, json or yaml`},
	} {
		r := cli.run("", tc.args...)
		if r.code != 2 || !strings.Contains(r.errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, r.code, r.errOut, tc.want)
		}
	}
	r := cli.mustRun("", "version", "-o", "json")
	var v struct{ Version, Go, Platform string }
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || v.Version != "test" {
		t.Errorf("version -o json = %q (%v)", r.out, err)
	}
	// SECRETCTL_NO_COLOR=1 turns colour off in human mode.
	cli.tty = true
	cli.env["SECRETCTL_NO_COLOR"] = "1"
	cli.mustRun("v", "create", "c/one")
	if r := cli.mustRun("", "list"); strings.Contains(r.out, "\x1b[") {
		t.Errorf("colour despite SECRETCTL_NO_COLOR=1: %q", r.out)
	}
}

// TestStoreErrors: a store failure names the operation and the secret
// once, with the AWS error code and a hint, and reads the same on both
// backends.
func TestStoreErrors(t *testing.T) {
	for name, cli := range backends(t) {
		t.Run(name, func(t *testing.T) {
			id := fmt.Sprintf("it/%s/err-%d", name, os.Getpid())
			cli.mustRun(canary(t), "create", id)
			cases := []struct {
				stdin string
				args  []string
				want  string
			}{
				{canary(t), []string{"create", id}, "secretctl: create " + id + ": secret already exists (ResourceExistsException)"},
				{"", []string{"get", id + "-missing"}, "secretctl: get " + id + "-missing: secret not found (ResourceNotFoundException) (see 'secretctl list')"},
				{"", []string{"get", id, "--stage", "NOSUCHLABEL"}, "secretctl: get " + id + ": version not found (ResourceNotFoundException) (see 'secretctl versions " + id + "')"},
				{"", []string{"delete", id + "-missing"}, "secretctl: delete " + id + "-missing: secret not found (ResourceNotFoundException) (see 'secretctl list')"},
			}
			for _, c := range cases {
				r := cli.run(c.stdin, c.args...)
				if r.code != 2 || strings.TrimSpace(r.errOut) != c.want {
					t.Errorf("%v: exit %d, stderr %q\nwant %q", c.args, r.code, r.errOut, c.want)
				}
			}
			cli.mustRun("", "delete", id)
			want := "secretctl: get " + id + ": secret is marked for deletion (InvalidRequestException) (cancel the deletion with 'secretctl restore " + id + "')"
			if r := cli.run("", "get", id); r.code != 2 || strings.TrimSpace(r.errOut) != want {
				t.Errorf("get after delete: exit %d, stderr %q\nwant %q", r.code, r.errOut, want)
			}
		})
	}
}
