package migrate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/secretctl/secretctl/internal/scan"
)

// migrateTree writes 10,000 files (JavaScript, Python, Go, YAML, shell) in
// 100 directories, 200 of them holding one hardcoded value each; every
// benchmark gets the same tree in its own temporary directory.
func migrateTree(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	bodies := map[string]string{
		"js":   "export function handler(req, res) {\n  const user = req.body.user;\n  return res.json({ ok: true, id: user.id });\n}\n",
		"py":   "def handler(event):\n    user = event[\"user\"]\n    return {\"ok\": True, \"id\": user[\"id\"]}\n",
		"go":   "package svc\n\nfunc Handler(id string) map[string]any {\n\treturn map[string]any{\"ok\": true, \"id\": id}\n}\n",
		"yaml": "service:\n  name: api\n  replicas: 3\n",
		"sh":   "#!/bin/sh\nset -eu\necho starting\n",
	}
	secretLine := map[string]string{
		"js":   "const config = { db: { password: 'Bench-Canary-pw-%05d' } };\n",
		"py":   "DB_PASSWORD = \"Bench-Canary-pw-%05d\"\n",
		"go":   "\nconst apiToken = \"Bench-Canary-tok-%05d\"\n",
		"yaml": "  password: Bench-Canary-pw-%05d\n",
		"sh":   "DB_PASSWORD=Bench-Canary-pw-%05d\n",
	}
	exts := []string{"js", "py", "go", "yaml", "sh"}
	for i := 0; i < 10000; i++ {
		sub := filepath.Join(dir, fmt.Sprintf("svc%03d", i%100))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		ext := exts[i%len(exts)]
		content := bodies[ext]
		if i%50 == 0 { // 200 findings
			content += fmt.Sprintf(secretLine[ext], i)
		}
		name := fmt.Sprintf("f%05d.%s", i, ext)
		if ext == "yaml" {
			name = fmt.Sprintf("application-%05d.yaml", i)
		}
		if err := os.WriteFile(filepath.Join(sub, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkScanTree is the plain scan of the tree, the baseline.
func BenchmarkScanTree(b *testing.B) {
	dir := migrateTree(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := scan.Run(context.Background(), scan.Options{Paths: []string{dir}})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) != 200 {
			b.Fatalf("scan found %d; want 200", len(res.Findings))
		}
	}
}

// BenchmarkMigrateDryRunTree is migrate without --apply on the same tree:
// the scan, reading the 200 files, planning, rewriting in memory and the
// masked diffs.
func BenchmarkMigrateDryRunTree(b *testing.B) {
	dir := migrateTree(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fs, files, err := Find(context.Background(), dir, scan.Options{})
		if err != nil {
			b.Fatal(err)
		}
		p, err := BuildPlan(Input{Root: dir, To: "bench/app", Findings: fs, Files: files, EnvExample: ".env.example"})
		if err != nil {
			b.Fatal(err)
		}
		if p.Migrate != 200 || len(p.Files) != 200 {
			b.Fatalf("plan migrates %d in %d files; want 200 in 200", p.Migrate, len(p.Files))
		}
	}
}

// BenchmarkPlanTree is migrate's own share of a dry run: planning, the
// in-memory rewrites and the masked diffs of the 200 files, after the scan.
func BenchmarkPlanTree(b *testing.B) {
	dir := migrateTree(b)
	fs, files, err := Find(context.Background(), dir, scan.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := BuildPlan(Input{Root: dir, To: "bench/app", Findings: fs, Files: files, EnvExample: ".env.example"}); err != nil {
			b.Fatal(err)
		}
	}
}
