package scan

import (
	"io/fs"
	"math/rand"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPathLiterals: the literal prefilter gives gitleaks' answer for the
// global allowlist's paths, on paths made to match each pattern, on random
// paths built from their pieces, and on every path of Go's own tree.
func TestPathLiterals(t *testing.T) {
	cfg, err := LoadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"", "gitleaks.toml", "a/b/logo.PNG", "font.woff2", "x/y.DLL", "go.sum", "go.work.sum", "vendor/modules.txt",
		"a/vendor/github.com/x/y.go", "gradlew", "gradlew.bat", "b/gradle.lockfile", "mvnw.cmd", ".mvn/wrapper/MavenWrapperDownloader.java",
		"web/node_modules/x/index.js", "yarn.lock", "pnpm-lock.yaml", "bower_components", "static/jquery-ui.min.js", "js/swagger-ui.js.map",
		"javascript.json", "Pipfile.lock", "poetry.lock", "venv/lib/python3.11/site.py", "usr/lib64/python3.9/x.py", "python/3.12/lib/x",
		"requests-2.31.0.dist-info/RECORD", "vendor/bundle/ruby", "pkg.gem", "home/.gem/credentials", "verification-metadata.xml",
		"Database.refactorlog", "a/.git", "ENV/LIB/x", "VirtualEnv/lib64", "src/main.go", "README.md",
	}
	r := rand.New(rand.NewSource(3))
	pieces := []string{"a", "/", ".", "-", "_", "lib", "64", "python", "3", ".11", "vendor", "node_modules", "gem", ".gem", "min", ".js", "map", "jquery", "ui", "png", "JPG", "jpeg", "tif", "dist-info", "env", "v", "go", ".mod", ".sum", "work", "lock", "yarn", "gradle", "mvnw", "bat", "refactorlog", "Database", "toml", "gitleaks", "k8s.io", "golang.org/x", "\u212a"}
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := 1 + r.Intn(10); n > 0; n-- {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		paths = append(paths, b.String())
	}
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		root := strings.TrimSpace(string(out))
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil {
				rel, _ := filepath.Rel(root, p)
				paths = append(paths, filepath.ToSlash(rel))
			}
			return nil
		})
	}
	allowed := 0
	for i, a := range cfg.Allowlists {
		ps := newPathPatterns(a)
		for _, p := range paths {
			want := a.PathAllowed(p)
			if got := pathMatches(ps, p); got != want {
				t.Fatalf("allowlist %d, path %q: prefilter says %v, gitleaks %v", i, p, got, want)
			}
			if want {
				allowed++
			}
		}
	}
	if allowed < 40 {
		t.Errorf("only %d paths allowed: the cases do not reach the patterns", allowed)
	}
}
