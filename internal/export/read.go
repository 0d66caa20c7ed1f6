package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/secretctl/secretctl/internal/environ"
)

// Item is one key and value read from a file.
type Item struct {
	Key   string
	Value string
}

// ReadFormats are the formats Read accepts.
var ReadFormats = []string{"dotenv", "json", "yaml"}

// Read parses a dotenv, JSON or YAML file of keys and string values, in
// file order (JSON and YAML objects in the order their keys appear). JSON
// numbers and booleans become their text, as exec gives them; nested values
// and null are refused, as are keys that appear twice. Errors name keys and
// lines, never values.
func Read(format string, r io.Reader) ([]Item, error) {
	switch format {
	case "dotenv":
		entries, err := environ.ParseDotenv(r)
		if err != nil {
			return nil, err
		}
		items := make([]Item, len(entries))
		for i, e := range entries {
			items[i] = Item{Key: e.Key, Value: e.Value}
		}
		return items, nil
	case "json":
		return readJSON(r)
	case "yaml":
		return readYAML(r)
	}
	return nil, fmt.Errorf("unknown format %q (want %s)", format, strings.Join(ReadFormats, ", "))
}

func readJSON(r io.Reader) ([]Item, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errors.New("want a JSON object of keys and string values")
	}
	var items []Item
	seen := map[string]bool{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, errors.New("malformed JSON object")
		}
		key := kt.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("key %q: malformed JSON value", key)
		}
		var val string
		switch t := bytes.TrimSpace(raw); {
		case len(t) > 0 && t[0] == '"':
			if err := json.Unmarshal(t, &val); err != nil {
				return nil, fmt.Errorf("key %q: malformed JSON string", key)
			}
		case len(t) > 0 && (t[0] == '{' || t[0] == '[') || string(t) == "null":
			return nil, fmt.Errorf("key %q: want a string, number or boolean", key)
		default:
			val = string(t)
		}
		if seen[key] {
			return nil, fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		items = append(items, Item{Key: key, Value: val})
	}
	if _, err := dec.Token(); err != nil {
		return nil, errors.New("malformed JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("text after the JSON object")
	}
	return items, nil
}

func readYAML(r io.Reader) ([]Item, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(r).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, errors.New("malformed YAML (want a mapping of keys to strings)")
	}
	m := &doc
	if m.Kind == yaml.DocumentNode && len(m.Content) == 1 {
		m = m.Content[0]
	}
	if m.Kind != yaml.MappingNode {
		return nil, errors.New("want a YAML mapping of keys to strings")
	}
	var items []Item
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: want a plain key", k.Line)
		}
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return nil, fmt.Errorf("line %d: key %q: want a string, number or boolean", v.Line, k.Value)
		}
		if seen[k.Value] {
			return nil, fmt.Errorf("line %d: key %q appears twice", k.Line, k.Value)
		}
		seen[k.Value] = true
		items = append(items, Item{Key: k.Value, Value: v.Value})
	}
	return items, nil
}
