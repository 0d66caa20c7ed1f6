package scan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchTree writes a tree of source and config files (about 8 MB) with a
// few secrets, or uses SECRETCTL_BENCH_DIR when set.
func benchTree(b *testing.B) string {
	b.Helper()
	if d := os.Getenv("SECRETCTL_BENCH_DIR"); d != "" {
		return d
	}
	dir := b.TempDir()
	js := strings.Repeat("export function handler(req, res) {\n  const user = req.body.user;\n  const key = cache.key(user.id);\n  return res.json({ ok: true, token: req.headers.token });\n}\n", 200)
	yml := strings.Repeat("service:\n  name: api\n  replicas: 3\n  env:\n    - name: DB_PASSWORD\n      valueFrom:\n        secretKeyRef: { name: db, key: password }\n", 150)
	for i := 0; i < 400; i++ {
		sub := filepath.Join(dir, fmt.Sprintf("pkg%03d", i%40))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		content := js
		name := fmt.Sprintf("f%03d.js", i)
		if i%2 == 1 {
			content, name = yml, fmt.Sprintf("f%03d.yaml", i)
		}
		if i%50 == 0 {
			content += "const password = 'Bench-Canary-pw-" + fmt.Sprint(i) + "';\n"
		}
		if err := os.WriteFile(filepath.Join(sub, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkScanDir scans the tree with the windowed engine; /whole runs
// every provider rule over whole fragments, as before windows (and as
// gitleaks does), for comparison in the same run.
func BenchmarkScanDir(b *testing.B) {
	dir := benchTree(b)
	b.Run("windows", func(b *testing.B) { benchScanDir(b, dir, false) })
	b.Run("whole", func(b *testing.B) { benchScanDir(b, dir, true) })
}

func benchScanDir(b *testing.B, dir string, whole bool) {
	b.ResetTimer()
	var bytes int64
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), Options{Paths: []string{dir}, NoGitIgnore: true, NoConfig: true, wholeFragments: whole})
		if err != nil {
			b.Fatal(err)
		}
		bytes = res.Bytes
	}
	b.SetBytes(bytes)
}

func BenchmarkAnalyze(b *testing.B) {
	src := strings.Repeat("const config = {\n  api: { key: 'sk-canary1234567890', secret: process.env.X },\n  password: 'x',\n  label: 'Enter your password',\n};\n", 2000)
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		analyze(src, "config.js")
	}
}

func BenchmarkLoadConfig(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := LoadConfig(""); err != nil {
			b.Fatal(err)
		}
	}
}
