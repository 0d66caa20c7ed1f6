// Package process starts the command that `secretctl exec` runs: replacing
// secretctl with it (Exec), or as a child whose output passes through a
// Masker and which receives the signals secretctl gets (Run).
package process

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
)

// Forwarded are the signals Run passes on to the child.
var Forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// LookPath resolves name as a shell would, against the PATH in env (the
// child's environment, which --pristine may have changed), not
// secretctl's own. A name with a slash is used as it is.
func LookPath(name string, env []string) (string, error) {
	if name == "" {
		return "", errors.New("no command given")
	}
	if strings.ContainsRune(name, '/') {
		if err := executable(name); err != nil {
			return "", fmt.Errorf("command %s: %w", name, err)
		}
		return name, nil
	}
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if executable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("command %s: not found in the PATH of its environment", name)
}

func executable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if st.IsDir() || st.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%w: not an executable file", fs.ErrPermission)
	}
	return nil
}

func unwrapExec(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

// Exec replaces the current process with argv, with exactly env as its
// environment (syscall.Exec): the command gets secretctl's pid, its
// signals and its terminal, and its exit status is the exit status. It
// returns only on failure.
func Exec(argv, env []string) error {
	path, err := LookPath(argv[0], env)
	if err != nil {
		return err
	}
	if err := syscall.Exec(path, argv, env); err != nil {
		return fmt.Errorf("exec %s: %w", argv[0], err)
	}
	return nil
}

// Options configure Run.
type Options struct {
	Env    []string
	Stdin  io.Reader
	Stdout io.Writer // the child's stdout goes here (through a Masker, if the caller wants one)
	Stderr io.Writer
	// Signals, when set, replaces signal.Notify as the source of signals to
	// forward (tests use it).
	Signals <-chan os.Signal
}

// Run starts argv as a child, forwards INT, TERM, HUP and QUIT to it while it
// runs, waits for it and for its output to be copied, and returns its exit
// status: its exit code, or 128+N when signal N killed it. The error is for
// failures to start it; a child that ran and failed is a status, not an
// error. ctx is not used to kill the child: the child decides when to stop,
// on the signals it gets.
func Run(ctx context.Context, argv []string, o Options) (int, error) {
	path, err := LookPath(argv[0], o.Env)
	if err != nil {
		return 0, err
	}
	cmd := &exec.Cmd{Path: path, Args: argv, Env: o.Env, Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr}
	sigs := o.Signals
	if sigs == nil {
		ch := make(chan os.Signal, 8)
		signal.Notify(ch, Forwarded...)
		defer signal.Stop(ch)
		sigs = ch
	}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %s: %w", argv[0], unwrapExec(err))
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	_ = ctx
	return Status(cmd.ProcessState, err)
}

// Status turns a finished process's state into an exit status: its code,
// or 128+N for death by signal N.
func Status(ps *os.ProcessState, waitErr error) (int, error) {
	if ps == nil {
		return 0, waitErr
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	var ee *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &ee) {
		// The process ran, but copying its output failed.
		return ps.ExitCode(), fmt.Errorf("copy output: %w", waitErr)
	}
	return ps.ExitCode(), nil
}
