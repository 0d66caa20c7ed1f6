package k8s

import (
	"bytes"
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// Source is a stored secret's version, as `k8s apply` reads it.
type Source struct {
	Name      string
	ARN       string
	VersionID string
	Value     []byte
}

// SecretSpec is a Secret to write.
type SecretSpec struct {
	Name      string
	Namespace string
	Type      string // "" picks DetectType's
	Source    Source
}

// Build returns the Secret for spec: its data from the source value, the
// managed-by label and the source annotations.
func Build(spec SecretSpec) (*corev1.Secret, error) {
	if spec.Type == "" {
		spec.Type = DetectType(spec.Source.Value)
	}
	if err := ValidateName(spec.Name); err != nil {
		return nil, err
	}
	data, err := Data(spec.Source.Name, spec.Source.Value, spec.Type)
	if err != nil {
		return nil, err
	}
	s := &corev1.Secret{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      spec.Name,
			Namespace: spec.Namespace,
			Labels:    map[string]string{ManagedByLabel: ManagedByValue},
			Annotations: map[string]string{
				SourceAnnotation:  spec.Source.Name,
				ARNAnnotation:     spec.Source.ARN,
				VersionAnnotation: spec.Source.VersionID,
			},
		},
		Type: corev1.SecretType(spec.Type),
		Data: data,
	}
	return s, nil
}

// SecretYAML returns s as a manifest for kubectl apply -f. With mask, each
// value is replaced by a mask of the same length class, so the object can be
// shown without revealing anything.
func SecretYAML(s *corev1.Secret, mask bool) ([]byte, error) {
	if !mask {
		c := s.DeepCopy()
		c.CreationTimestamp = metav1.Time{}
		return marshalClean(c)
	}
	c := s.DeepCopy()
	c.Data = nil
	c.StringData = map[string]string{}
	for k := range s.Data {
		c.StringData[k] = "********"
	}
	return marshalClean(c)
}

// marshalClean drops the creationTimestamp: null that metav1 always writes.
func marshalClean(s *corev1.Secret) ([]byte, error) {
	b, err := yaml.Marshal(s)
	if err != nil {
		return nil, err
	}
	return bytes.Replace(b, []byte("  creationTimestamp: null\n"), nil, 1), nil
}

// Action is what Apply did (or, in a dry run, would do) to a Secret.
type Action string

const (
	Created   Action = "created"
	Updated   Action = "updated"
	Unchanged Action = "unchanged"
	Pruned    Action = "pruned"
)

// Result is one Secret's outcome.
type Result struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Source    string `json:"source"`
	VersionID string `json:"versionId,omitempty"`
	Action    Action `json:"action"`
}

// Apply writes s with server-side apply (field manager secretctl). It
// leaves a Secret that already holds the same source version, type and data
// alone, and refuses to take over a Secret that secretctl does not manage or
// whose type differs (a Secret's type cannot change).
func (c *Client) Apply(ctx context.Context, s *corev1.Secret, dryRun bool) (Result, error) {
	r := Result{Namespace: s.Namespace, Name: s.Name, Source: s.Annotations[SourceAnnotation], VersionID: s.Annotations[VersionAnnotation]}
	cur, err := c.GetSecret(ctx, s.Namespace, s.Name)
	switch {
	case apierrors.IsNotFound(err):
		r.Action = Created
	case err != nil:
		return r, fmt.Errorf("get secret %s/%s: %w", s.Namespace, s.Name, err)
	default:
		if cur.Labels[ManagedByLabel] != ManagedByValue {
			return r, fmt.Errorf("secret %s/%s exists and is not managed by secretctl (no %s=%s label); delete it or choose another --name", s.Namespace, s.Name, ManagedByLabel, ManagedByValue)
		}
		if cur.Type != s.Type {
			return r, fmt.Errorf("secret %s/%s has type %s, not %s; a Secret's type cannot change: delete it first", s.Namespace, s.Name, cur.Type, s.Type)
		}
		if same(cur, s) {
			r.Action = Unchanged
			return r, nil
		}
		r.Action = Updated
	}
	if dryRun {
		return r, nil
	}
	if err := c.applySecret(ctx, s, metav1.ApplyOptions{FieldManager: FieldManager, Force: true}); err != nil {
		return r, fmt.Errorf("apply secret %s/%s: %w", s.Namespace, s.Name, err)
	}
	return r, nil
}

func same(cur, want *corev1.Secret) bool {
	for _, k := range []string{SourceAnnotation, ARNAnnotation, VersionAnnotation} {
		if cur.Annotations[k] != want.Annotations[k] {
			return false
		}
	}
	if len(cur.Data) != len(want.Data) {
		return false
	}
	for k, v := range want.Data {
		if w, ok := cur.Data[k]; !ok || !bytes.Equal(w, v) {
			return false
		}
	}
	return true
}

// Managed lists the Secrets secretctl manages in namespace ("" for all).
func (c *Client) Managed(ctx context.Context, namespace string) ([]corev1.Secret, error) {
	items, err := c.ListSecrets(ctx, namespace, ManagedByLabel+"="+ManagedByValue)
	if err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].Namespace != items[j].Namespace {
			return items[i].Namespace < items[j].Namespace
		}
		return items[i].Name < items[j].Name
	})
	return items, nil
}

// Prune deletes the Secrets in namespace that secretctl manages, whose
// source is selected by inScope and for which exists reports false.
func (c *Client) Prune(ctx context.Context, namespace string, inScope func(source string) bool, exists func(source string) bool, dryRun bool) ([]Result, error) {
	items, err := c.Managed(ctx, namespace)
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, s := range items {
		src := s.Annotations[SourceAnnotation]
		if src == "" || !inScope(src) || exists(src) {
			continue
		}
		r := Result{Namespace: s.Namespace, Name: s.Name, Source: src, VersionID: s.Annotations[VersionAnnotation], Action: Pruned}
		if !dryRun {
			uid := s.UID
			err := c.secrets(s.Namespace).Delete(ctx, s.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
			if err != nil && !apierrors.IsNotFound(err) {
				return out, fmt.Errorf("delete secret %s/%s: %w", s.Namespace, s.Name, err)
			}
		}
		out = append(out, r)
	}
	return out, nil
}
