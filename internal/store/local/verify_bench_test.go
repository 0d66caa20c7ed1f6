package local

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// BenchmarkVerify100k is Verify (what `secretctl audit verify` runs) on a
// store whose access log has 100,000 keyed records, and, for comparison, the
// same log chained the format-1 way (plain SHA-256) checked by
// auditlog.Verify alone. The log is sealed in memory with the store's own
// chain rather than by 100,000 synced operations, then committed as the
// head.
func BenchmarkVerify100k(b *testing.B) {
	const n = 100_000
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s, err := Open(b.Context(), Options{Home: b.TempDir(), Actor: testActor, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := b.Context()
	if _, err := s.Create(ctx, "bench/verify", store.CreateInput{Value: secret.New("bench-canary-" + uuid.NewString())}); err != nil {
		b.Fatal(err)
	}
	c := &call{event: "GetSecretValue", readOnly: true, params: map[string]any{"secretId": "bench/verify"}, arn: "arn:aws:secretsmanager:local:000000000000:secret:bench/verify-AbCdEf"}
	build := func(chain auditlog.Chain) ([]byte, auditlog.Head) {
		var buf bytes.Buffer
		head := auditlog.EmptyHead()
		for head.Seq < n {
			rec, line, err := auditlog.Seal(s.auditRecord(c, now, nil), head, chain)
			if err != nil {
				b.Fatal(err)
			}
			buf.Write(line)
			head = auditlog.Head{Seq: rec.Seq, Hash: rec.Hash, Offset: int64(buf.Len())}
		}
		return buf.Bytes(), head
	}

	b.Run("keyed", func(b *testing.B) {
		log, head := build(s.chain)
		if err := os.WriteFile(s.logPath, log, 0o600); err != nil {
			b.Fatal(err)
		}
		if _, err := s.db.Exec(`UPDATE audit_head SET seq = ?, hash = ?, offset = ?`, head.Seq, head.Hash, head.Offset); err != nil {
			b.Fatal(err)
		}
		// The record-set digest is bound to the head: move it along, as an
		// operation would.
		digest, _, err := readDigest(ctx, s.db)
		if err != nil {
			b.Fatal(err)
		}
		if err := writeDigest(ctx, s.db, s.keys.meta, digest, head); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(log)))
		for b.Loop() {
			rep, err := s.Verify(ctx, nil)
			if err != nil || !rep.OK() || rep.Audit.Records != n {
				b.Fatalf("Verify = %d records, %v, issues %v", rep.Audit.Records, err, rep.Audit.Issues)
			}
		}
	})
	b.Run("unkeyed-format1", func(b *testing.B) {
		log, head := build(auditlog.Chain{})
		b.SetBytes(int64(len(log)))
		for b.Loop() {
			res, err := auditlog.Verify(bytes.NewReader(log), head, auditlog.Chain{})
			if err != nil || !res.OK() || res.Records != n {
				b.Fatalf("Verify = %d records, %v", res.Records, err)
			}
		}
	})
}
