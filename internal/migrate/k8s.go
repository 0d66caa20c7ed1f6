package migrate

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/secretctl/secretctl/internal/k8s"
	"github.com/secretctl/secretctl/internal/secret"
)

// reDocSep splits a YAML stream into documents.
var reDocSep = regexp.MustCompile(`(?m)^---[ \t]*(?:#.*)?\n`)

type k8sSecretDoc struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name      string `yaml:"name"`
		Namespace string `yaml:"namespace"`
	} `yaml:"metadata"`
	Type       string            `yaml:"type"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
}

// kubernetes rewrites the Kubernetes Secret manifests that hold findings:
// each `kind: Secret` document with literal data or stringData becomes an
// ExternalSecret reading the stored secret NAME/<metadata.name>, which holds
// every key of the Secret (data base64-decoded, stringData as it is). The
// other documents of the file are kept byte for byte. It runs after the
// plan's secrets are gathered, on items still manual.
func (p *Plan) kubernetes(in Input, byFile map[string][]*Item) {
	files := make([]string, 0, len(byFile))
	for f, items := range byFile {
		if len(items) > 0 && items[0].Syntax == synK8sManifest {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	for _, f := range files {
		old := in.Files[f]
		var out bytes.Buffer
		var stored []StoredSecret
		var masks []*Item
		converted := false
		docs, seps := splitDocs(old)
		for i, doc := range docs {
			if nd, s, m, ok := p.k8sDoc(doc); ok {
				converted = true
				stored = append(stored, s)
				masks = append(masks, m...)
				out.Write(nd)
			} else {
				out.Write(doc)
			}
			if i < len(seps) {
				out.Write(seps[i])
			}
		}
		if !converted {
			continue
		}
		// Every finding in the file sits in a Secret's data: it is stored
		// with the rest of that Secret's keys.
		n := 0
		for _, it := range byFile[f] {
			for _, s := range stored {
				for k, v := range s.fields {
					if it.Action == ActionManual && v.Equal(it.value) {
						it.Action, it.Reason, it.Secret, it.Key = ActionRewrite, "", s.Name, k
						it.Replacement = "ExternalSecret reading " + s.Name
						p.Manual--
						p.Migrate++
						n++
					}
				}
			}
		}
		for i := range stored {
			stored[i].prints = append(stored[i].prints, Digest(secret.New(f+"\x00"+stored[i].Name)))
			sort.Strings(stored[i].prints)
		}
		p.Secrets = append(p.Secrets, stored...)
		sort.Slice(p.Secrets, func(i, j int) bool { return p.Secrets[i].Name < p.Secrets[j].Name })
		ch := &FileChange{Path: f, Syntax: synK8sManifest, Items: n, old: old, new: out.Bytes()}
		ch.Diff = maskedDiff(in.Root, f, old, ch.new, append(masks, byFile[f]...))
		p.Files = append(p.Files, ch)
	}
	sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].Path < p.Files[j].Path })
}

// k8sDoc converts one document, if it is a Secret with literal values: the
// ExternalSecret's text, the secret to store, and the raw texts to mask in
// the diff.
func (p *Plan) k8sDoc(doc []byte) ([]byte, StoredSecret, []*Item, bool) {
	var d k8sSecretDoc
	if err := yaml.Unmarshal(doc, &d); err != nil || d.Kind != "Secret" || d.APIVersion != "v1" || d.Metadata.Name == "" {
		return nil, StoredSecret{}, nil, false
	}
	if len(d.Data)+len(d.StringData) == 0 {
		return nil, StoredSecret{}, nil, false
	}
	s := StoredSecret{Name: p.To + "/" + d.Metadata.Name, Shape: "json", fields: map[string]secret.Value{}}
	var masks []*Item
	for k, v := range d.Data {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, StoredSecret{}, nil, false // not base64: leave it to the user
		}
		s.fields[k] = secret.New(string(b))
		masks = append(masks, &Item{value: secret.New(v)})
	}
	for k, v := range d.StringData {
		s.fields[k] = secret.New(v) // stringData wins over data, as in the API server
		masks = append(masks, &Item{value: secret.New(v)})
	}
	for k := range s.fields {
		s.Keys = append(s.Keys, k)
	}
	sort.Strings(s.Keys)
	es, err := k8s.ExternalSecret(k8s.ExternalSecretOptions{Source: s.Name, Keys: s.Keys, Name: d.Metadata.Name,
		Namespace: d.Metadata.Namespace, Target: d.Metadata.Name, Type: d.Type})
	if err != nil {
		return nil, StoredSecret{}, nil, false
	}
	head := fmt.Sprintf("# Moved to the secret store by secretctl migrate: %s. The External Secrets\n# Operator writes Secret %s from it (needs the SecretStore %s).\n", s.Name, d.Metadata.Name, k8s.DefaultStore)
	return append([]byte(head), es...), s, masks, true
}

// splitDocs splits a YAML stream at its "---" lines: len(seps) is
// len(docs)-1, and joining them back gives src.
func splitDocs(src []byte) (docs, seps [][]byte) {
	for {
		loc := reDocSep.FindIndex(src)
		if loc == nil {
			return append(docs, src), seps
		}
		docs = append(docs, src[:loc[0]])
		seps = append(seps, src[loc[0]:loc[1]])
		src = src[loc[1]:]
	}
}
