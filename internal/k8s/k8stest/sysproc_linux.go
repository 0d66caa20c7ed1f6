package k8stest

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the child receive SIGKILL when the test binary exits,
// even if it is killed before its cleanup runs.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
