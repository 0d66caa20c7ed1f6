package auditlogfuzz_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/auditlog"
)

// sealedLog returns a log of n records chained with c, and its head.
func sealedLog(tb testing.TB, n int, c auditlog.Chain) ([]byte, auditlog.Head) {
	tb.Helper()
	var buf bytes.Buffer
	head := auditlog.EmptyHead()
	for i := 0; i < n; i++ {
		rec := auditlog.Record{EventName: "GetSecretValue", EventTime: time.Date(2026, 1, 2, 3, 4, i, 0, time.UTC),
			RequestParameters: map[string]any{"secretId": "app/db"}}
		sealed, line, err := auditlog.Seal(rec, head, c)
		if err != nil {
			tb.Fatal(err)
		}
		buf.Write(line)
		head = auditlog.Head{Seq: sealed.Seq, Hash: sealed.Hash, Offset: int64(buf.Len())}
	}
	return buf.Bytes(), head
}

// FuzzVerify verifies arbitrary logs against the head of a real one. It
// never fails with an I/O error on an in-memory log, never panics, and a
// log that differs from the committed one is never reported clean (unless
// it only differs by blank space or what follows the committed head).
func FuzzVerify(f *testing.F) {
	chain := auditlog.Chain{Key: []byte("fuzz-chain-key-0123456789abcdef")}
	good, head := sealedLog(f, 3, chain)
	lines := bytes.SplitAfter(good, []byte("\n"))
	f.Add(good)
	f.Add([]byte{})
	f.Add(append(append([]byte{}, lines[1]...), lines[0]...))
	f.Add(bytes.Replace(good, []byte("app/db"), []byte("app/dc"), 1))
	f.Add(append(append([]byte{}, good...), `{"seq":4,"prevHash":"x"`...))
	f.Add([]byte("not json\n{}\n[]\n{\"seq\":-1}\n{\"seq\":1e400}\n"))
	f.Add([]byte(`{"seq":18446744073709551615,"prevHash":"","hash":""}` + "\n"))
	f.Fuzz(func(t *testing.T, log []byte) {
		for _, c := range []auditlog.Chain{chain, {}, {Key: chain.Key, LegacySeq: 1, LegacyHash: strings.Repeat("0", 64)}} {
			res, err := auditlog.Verify(bytes.NewReader(log), head, c)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			for _, is := range res.Issues {
				_ = is.String()
			}
			if c.Key != nil && c.LegacySeq == 0 && res.OK() {
				// Only a change of form passes: the same records, in order.
				if got, want := records(log), records(good); got != want {
					t.Fatalf("a changed log verifies clean:\n%s\nwant\n%s", got, want)
				}
			}
		}
		_ = auditlog.Read(bytes.NewReader(log), func(auditlog.Record) error { return nil })
		_, _ = auditlog.HashAt(bytes.NewReader(log), 2)
	})
}

// records returns the committed records of a log, re-encoded, one a line.
func records(log []byte) string {
	// An incomplete last line is a write a crash cut short: Verify drops it.
	if i := bytes.LastIndexByte(log, '\n'); !bytes.HasSuffix(log, []byte("\n")) &&
		!json.Valid(bytes.TrimSpace(log[i+1:])) {
		log = log[:i+1]
	}
	var b strings.Builder
	err := auditlog.Read(bytes.NewReader(log), func(r auditlog.Record) error {
		line, err := json.Marshal(r)
		b.Write(line)
		b.WriteByte('\n')
		return err
	})
	if err != nil {
		return "error: " + err.Error()
	}
	return b.String()
}

// FuzzParseHead parses chain heads as --expect-head takes them: what
// parses prints back to the same head.
func FuzzParseHead(f *testing.F) {
	f.Add("3:" + strings.Repeat("ab", 32))
	f.Add("0:" + auditlog.GenesisHash)
	f.Add("-1:" + strings.Repeat("0", 64))
	f.Add("18446744073709551616:" + strings.Repeat("0", 64))
	f.Add(" 7:" + strings.Repeat("F", 64))
	f.Add(":")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := auditlog.ParseHead(s)
		if err != nil {
			return
		}
		again, err := auditlog.ParseHead(h.String())
		if err != nil || again != h {
			t.Fatalf("head %q does not round-trip: %v %v", s, again, err)
		}
	})
}

// FuzzHash hashes arbitrary records: the hash ignores the "hash" field, so
// sealing a record that parses and hashing its line again gives its hash.
func FuzzHash(f *testing.F) {
	good, _ := sealedLog(f, 1, auditlog.Chain{})
	f.Add(bytes.TrimSpace(good))
	f.Add([]byte(`{"a":1}{"b":2}`))
	f.Add([]byte(`{"seq":1.5}`))
	f.Add([]byte(`{"n":1e999}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		h1, err := auditlog.Hash(line)
		if err != nil {
			return
		}
		if len(h1) != 64 {
			t.Fatalf("hash %q", h1)
		}
		h2, err := auditlog.Hash(line)
		if err != nil || h1 != h2 {
			t.Fatalf("hash is not stable: %v", err)
		}
	})
}
