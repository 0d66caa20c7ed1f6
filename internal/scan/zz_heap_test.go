package scan

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/zricethezav/gitleaks/v8/config"
)

func TestZZHeap(t *testing.T) {
	if os.Getenv("ZZHEAP") == "" {
		t.Skip()
	}
	runtime.MemProfileRate = 512
	res, err := Run(context.Background(), Options{Paths: []string{t.TempDir()}, NoGitIgnore: true, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	s := newScanner(context.Background(), mustCfg(t), Options{}, "")
	runtime.GC()
	f, _ := os.Create("/tmp/heap.prof")
	pprof.WriteHeapProfile(f)
	f.Close()
	runtime.KeepAlive(s)
	_ = res
}

func mustCfg(t *testing.T) config.Config {
	c, err := LoadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
