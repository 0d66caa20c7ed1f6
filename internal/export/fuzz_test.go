package export

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/environ"
	"github.com/secretctl/secretctl/internal/secret"
)

// FuzzRead reads arbitrary files in each import format. What reads is
// written back by the export writer of that format and reads again to the
// same items; an error never quotes a value of the file.
func FuzzRead(f *testing.F) {
	f.Add(uint8(0), []byte("# c\nDB_PASSWORD=canary-pw-1\nexport API_KEY='canary k'\nMULTI=\"a\\nb\"\nEMPTY=\n"))
	f.Add(uint8(1), []byte(`{"DB_PASSWORD":"canary-pw-2","PORT":5432,"ON":true,"N":1e400}`))
	f.Add(uint8(1), []byte(`{"A":{"nested":"canary-pw-3"}}`))
	f.Add(uint8(1), []byte(`{"A":"x","A":"canary-pw-4"}`))
	f.Add(uint8(2), []byte("DB_PASSWORD: canary-pw-5\nPORT: 5432\nLIST: [canary-pw-6]\n"))
	f.Add(uint8(2), []byte("a: &x canary-pw-7\nb: *x\n"))
	f.Add(uint8(2), []byte("- canary-pw-8\n"))
	f.Add(uint8(0), []byte("K=\"unterminated canary-pw-9\n"))
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		format := ReadFormats[int(which)%len(ReadFormats)]
		items, err := Read(format, bytes.NewReader(b))
		if err != nil {
			for _, tok := range strings.FieldsFunc(string(b), func(r rune) bool { return strings.ContainsRune(" \t\r\n\"':=,{}[]", r) }) {
				// Errors name keys: a canary used as a key may appear.
				if strings.HasPrefix(tok, "canary") && strings.Contains(err.Error(), tok) && !strings.Contains(err.Error(), `key "`+tok+`"`) {
					t.Fatalf("%s error quotes a value: %v", format, err)
				}
			}
			return
		}
		vars := make([]environ.Var, len(items))
		for i, it := range items {
			vars[i] = environ.Var{Name: it.Key, Value: secret.New(it.Value)}
		}
		w, err := New(format)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := w.Write(&out, vars); err != nil {
			return // a key the format cannot write (the writers refuse, they do not mangle)
		}
		again, err := Read(format, &out)
		if err != nil || !reflect.DeepEqual(again, items) && !(len(again) == 0 && len(items) == 0) {
			t.Fatalf("%s: %q reads as %q, written as %q, which reads as %q (%v)", format, b, items, out.String(), again, err)
		}
	})
}
