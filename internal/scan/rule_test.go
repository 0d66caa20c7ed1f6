package scan

import (
	"sort"
	"strings"
	"testing"

	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
)

// TestStopwordsKept: the stopwords LoadConfig takes out of gitleaks'
// allowlists (to spare their tries) are all back, and the scan's index
// answers as gitleaks' own allowlist does.
func TestStopwordsKept(t *testing.T) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(config.DefaultConfig)); err != nil {
		t.Fatal(err)
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		t.Fatal(err)
	}
	ref, err := vc.Translate()
	if err != nil {
		t.Fatal(err)
	}
	ours, err := LoadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	env := newRuleEnv(ours)
	probes := []string{"", "x", "EXAMPLE", "abcdefghijklmnopqrstuvwxyz", "prod-canary-Token-9f3k2", "Sup3rS3cr3tCanary", "000000", "my_ec2_key", "zzzz"}
	checked := 0
	for id, r := range ref.Rules {
		o, ok := ours.Rules[id]
		if !ok {
			continue
		}
		for j, a := range r.Allowlists {
			if len(a.StopWords) == 0 {
				continue
			}
			if j >= len(o.Allowlists) {
				t.Fatalf("%s: allowlist %d missing", id, j)
			}
			b := o.Allowlists[j]
			want, got := append([]string(nil), a.StopWords...), append([]string(nil), b.StopWords...)
			sort.Strings(want)
			sort.Strings(got)
			if strings.Join(want, "\n") != strings.Join(got, "\n") {
				t.Errorf("%s allowlist %d: %d stopwords, want %d", id, j, len(got), len(want))
			}
			for _, w := range append(probes, want...) {
				for _, s := range []string{w, "pre" + w + "post", strings.ToUpper(w)} {
					refOK, _ := a.ContainsStopWord(s)
					if env.containsStopWord(b, s) != refOK {
						t.Errorf("%s allowlist %d: stopword match of %q differs from gitleaks' (%v)", id, j, s, refOK)
					}
					if glOK, _ := b.ContainsStopWord(s); glOK != refOK {
						t.Errorf("%s allowlist %d: gitleaks' fallback on %q says %v, want %v", id, j, s, glOK, refOK)
					}
				}
			}
			checked += len(want)
		}
	}
	if checked < 1000 {
		t.Errorf("checked %d stopwords; generic-api-key alone has over a thousand", checked)
	}
}
