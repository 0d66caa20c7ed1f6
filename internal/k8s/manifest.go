// Package k8s turns stored secrets into Kubernetes objects: Secrets that
// secretctl applies itself (server-side apply, field manager "secretctl"),
// and the External Secrets Operator manifests (ExternalSecret, SecretStore)
// that let ESO read the store. It builds objects and talks to the API
// server through client-go; it never writes to a terminal.
package k8s

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Labels and annotations on the Secrets secretctl manages.
const (
	ManagedByLabel    = "app.kubernetes.io/managed-by"
	ManagedByValue    = "secretctl"
	SourceAnnotation  = "secretctl.io/source"         // the stored secret's name
	ARNAnnotation     = "secretctl.io/source-arn"     // its ARN
	VersionAnnotation = "secretctl.io/source-version" // the version id the data came from
	FieldManager      = "secretctl"
)

// Secret types `k8s apply` and the k8s-secret export write.
const (
	TypeOpaque           = "Opaque"
	TypeTLS              = "kubernetes.io/tls"
	TypeDockerConfigJSON = "kubernetes.io/dockerconfigjson"
)

// Types lists the Secret types accepted.
var Types = []string{TypeOpaque, TypeTLS, TypeDockerConfigJSON}

var (
	reNotDNS  = regexp.MustCompile(`[^a-z0-9-]+`)
	reDataKey = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)
)

// ObjectName derives a Kubernetes object name from a secret name: the path
// after its first segment (the environment, which a namespace stands for)
// joined with "-", lower-cased, with characters a DNS label cannot hold
// turned into "-". prod/database/credentials becomes database-credentials;
// a one-segment name keeps its only segment.
func ObjectName(secretName string) string {
	parts := strings.Split(strings.Trim(secretName, "/"), "/")
	if len(parts) > 1 {
		parts = parts[1:]
	}
	s := reNotDNS.ReplaceAllString(strings.ToLower(strings.Join(parts, "-")), "-")
	s = strings.Trim(s, "-")
	if len(s) > 253 {
		s = strings.Trim(s[:253], "-")
	}
	return s
}

// ValidateName reports whether name is a valid Secret (DNS subdomain) name.
func ValidateName(name string) error {
	if name == "" || len(name) > 253 || !regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`).MatchString(name) {
		return fmt.Errorf("invalid Kubernetes name %q: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit", name)
	}
	return nil
}

// Keys returns the sorted top-level keys of a JSON object value, or nil if
// the value is not a JSON object.
func Keys(value []byte) []string {
	m, ok := jsonObject(value)
	if !ok {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func jsonObject(value []byte) (map[string]json.RawMessage, bool) {
	v := bytes.TrimSpace(value)
	if len(v) == 0 || v[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, false
	}
	return m, true
}

// DetectType is the Secret type a value asks for: kubernetes.io/tls for a
// JSON object with tls.crt and tls.key, kubernetes.io/dockerconfigjson for
// a Docker config ({"auths": ...}) or an object with a .dockerconfigjson
// key, Opaque otherwise.
func DetectType(value []byte) string {
	obj, ok := jsonObject(value)
	if !ok {
		return TypeOpaque
	}
	_, crt := obj["tls.crt"]
	_, key := obj["tls.key"]
	_, auths := obj["auths"]
	_, docker := obj[".dockerconfigjson"]
	switch {
	case crt && key:
		return TypeTLS
	case auths || docker:
		return TypeDockerConfigJSON
	}
	return TypeOpaque
}

// Data maps a stored value to a Secret's data for a Secret type: a JSON
// object's top-level keys become data keys (strings as they are, other JSON
// values as compact JSON text); any other value becomes one key, the last
// segment of the secret's name. For kubernetes.io/tls the keys tls.crt and
// tls.key must be there; for kubernetes.io/dockerconfigjson a value that is
// itself a Docker config ({"auths": ...}) becomes .dockerconfigjson. Errors
// name keys, never values.
func Data(secretName string, value []byte, typ string) (map[string][]byte, error) {
	data := map[string][]byte{}
	obj, isObj := jsonObject(value)
	if typ == TypeDockerConfigJSON && isObj {
		if _, ok := obj["auths"]; ok {
			return map[string][]byte{".dockerconfigjson": bytes.TrimSpace(value)}, nil
		}
	}
	if isObj {
		for k, raw := range obj {
			if !reDataKey.MatchString(k) {
				return nil, fmt.Errorf("key %q of %s cannot be a Secret data key (letters, digits, '-', '_' and '.')", k, secretName)
			}
			var s string
			if err := json.Unmarshal(raw, &s); err == nil {
				data[k] = []byte(s)
				continue
			}
			var buf bytes.Buffer
			if err := json.Compact(&buf, raw); err != nil {
				return nil, fmt.Errorf("key %q of %s: invalid JSON", k, secretName)
			}
			data[k] = buf.Bytes()
		}
	} else {
		k := path.Base(secretName)
		if !reDataKey.MatchString(k) {
			k = "value"
		}
		data[k] = value
	}
	switch typ {
	case TypeOpaque, "":
	case TypeTLS:
		for _, k := range []string{"tls.crt", "tls.key"} {
			if _, ok := data[k]; !ok {
				return nil, fmt.Errorf("%s has no key %q, which a %s Secret needs (store a JSON object with tls.crt and tls.key)", secretName, k, TypeTLS)
			}
		}
	case TypeDockerConfigJSON:
		if _, ok := data[".dockerconfigjson"]; !ok {
			return nil, fmt.Errorf("%s is neither a Docker config ({\"auths\": ...}) nor an object with a .dockerconfigjson key, which a %s Secret needs", secretName, TypeDockerConfigJSON)
		}
	default:
		return nil, fmt.Errorf("unknown Secret type %q (want %s)", typ, strings.Join(Types, ", "))
	}
	return data, nil
}

// meta is an object's metadata in the manifests below.
type meta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ExternalSecretOptions describe an ExternalSecret.
type ExternalSecretOptions struct {
	Source    string   // the stored secret's name (remoteRef.key)
	Keys      []string // its JSON keys; none means the whole value under one key
	Name      string   // the ExternalSecret's name; default Target
	Namespace string   // "" leaves it to kubectl's namespace
	Store     string   // the SecretStore's name; default DefaultStore
	StoreKind string   // SecretStore (default) or ClusterSecretStore
	Refresh   string   // refreshInterval; default 1h
	Target    string   // the Secret ESO writes; default ObjectName(Source)
	Type      string   // the written Secret's type when not Opaque (target.template.type)
}

// DefaultStore is the SecretStore name both manifests use by default.
const DefaultStore = "aws-secrets-manager"

type externalSecret struct {
	APIVersion string             `json:"apiVersion"`
	Kind       string             `json:"kind"`
	Metadata   meta               `json:"metadata"`
	Spec       externalSecretSpec `json:"spec"`
}

type externalSecretSpec struct {
	RefreshInterval string       `json:"refreshInterval"`
	SecretStoreRef  storeRef     `json:"secretStoreRef"`
	Target          esTarget     `json:"target"`
	Data            []esDataItem `json:"data"`
}

type storeRef struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type esTarget struct {
	Name           string      `json:"name"`
	CreationPolicy string      `json:"creationPolicy"`
	Template       *esTemplate `json:"template,omitempty"`
}

type esTemplate struct {
	Type string `json:"type"`
}

type esDataItem struct {
	SecretKey string      `json:"secretKey"`
	RemoteRef esRemoteRef `json:"remoteRef"`
}

type esRemoteRef struct {
	Key      string `json:"key"`
	Property string `json:"property,omitempty"`
}

// ExternalSecret returns an external-secrets.io/v1 ExternalSecret as YAML:
// one data entry per key, each reading that property of the stored secret.
// It holds names only, never a value.
func ExternalSecret(o ExternalSecretOptions) ([]byte, error) {
	if o.Source == "" {
		return nil, errors.New("external-secret: no source secret")
	}
	if o.Target == "" {
		o.Target = ObjectName(o.Source)
	}
	if o.Name == "" {
		o.Name = o.Target
	}
	if o.Store == "" {
		o.Store = DefaultStore
	}
	if o.StoreKind == "" {
		o.StoreKind = "SecretStore"
	}
	if o.StoreKind != "SecretStore" && o.StoreKind != "ClusterSecretStore" {
		return nil, fmt.Errorf("unknown store kind %q (want SecretStore or ClusterSecretStore)", o.StoreKind)
	}
	if o.Refresh == "" {
		o.Refresh = "1h"
	}
	for _, n := range []string{o.Name, o.Target, o.Store} {
		if err := ValidateName(n); err != nil {
			return nil, err
		}
	}
	es := externalSecret{
		APIVersion: "external-secrets.io/v1",
		Kind:       "ExternalSecret",
		Metadata:   meta{Name: o.Name, Namespace: o.Namespace},
		Spec: externalSecretSpec{
			RefreshInterval: o.Refresh,
			SecretStoreRef:  storeRef{Name: o.Store, Kind: o.StoreKind},
			Target:          esTarget{Name: o.Target, CreationPolicy: "Owner"},
		},
	}
	if o.Type != "" && o.Type != TypeOpaque {
		es.Spec.Target.Template = &esTemplate{Type: o.Type}
	}
	if len(o.Keys) == 0 {
		k := path.Base(o.Source)
		if !reDataKey.MatchString(k) {
			k = "value"
		}
		es.Spec.Data = append(es.Spec.Data, esDataItem{SecretKey: k, RemoteRef: esRemoteRef{Key: o.Source}})
	}
	for _, k := range o.Keys {
		if !reDataKey.MatchString(k) {
			return nil, fmt.Errorf("key %q of %s cannot be a Secret data key (letters, digits, '-', '_' and '.')", k, o.Source)
		}
		es.Spec.Data = append(es.Spec.Data, esDataItem{SecretKey: k, RemoteRef: esRemoteRef{Key: o.Source, Property: k}})
	}
	return yaml.Marshal(es)
}

// Auth methods of a SecretStore.
const (
	AuthIRSA        = "irsa"
	AuthStatic      = "static"
	AuthPodIdentity = "pod-identity"
)

// SecretStoreOptions describe a SecretStore or ClusterSecretStore.
type SecretStoreOptions struct {
	Name           string // default DefaultStore
	Namespace      string // of a SecretStore; for a ClusterSecretStore, of the service account or credentials Secret
	Kind           string // SecretStore (default) or ClusterSecretStore
	Region         string // required
	Auth           string // irsa (default), static or pod-identity
	ServiceAccount string // irsa: the service account whose token ESO exchanges; default external-secrets
	// CredentialsSecret is the Secret holding static keys (access-key-id,
	// secret-access-key); default aws-credentials.
	CredentialsSecret string
}

type secretStore struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Metadata   meta            `json:"metadata"`
	Spec       secretStoreSpec `json:"spec"`
}

type secretStoreSpec struct {
	Provider struct {
		AWS awsProvider `json:"aws"`
	} `json:"provider"`
}

type awsProvider struct {
	Service string   `json:"service"`
	Region  string   `json:"region"`
	Auth    *awsAuth `json:"auth,omitempty"`
}

type awsAuth struct {
	JWT       *jwtAuth    `json:"jwt,omitempty"`
	SecretRef *staticAuth `json:"secretRef,omitempty"`
}

type jwtAuth struct {
	ServiceAccountRef selectorRef `json:"serviceAccountRef"`
}

type staticAuth struct {
	AccessKeyID     selectorRef `json:"accessKeyIDSecretRef"`
	SecretAccessKey selectorRef `json:"secretAccessKeySecretRef"`
}

type selectorRef struct {
	Name      string `json:"name"`
	Key       string `json:"key,omitempty"`
	Namespace string `json:"namespace,omitempty"`
}

// SecretStore returns an external-secrets.io/v1 SecretStore (or
// ClusterSecretStore) for AWS Secrets Manager as YAML. irsa uses JWT
// service-account auth (the account's IAM role annotation does the rest),
// static points at a Secret with access keys, pod-identity leaves auth to
// the controller's own credentials (EKS Pod Identity).
func SecretStore(o SecretStoreOptions) ([]byte, error) {
	if o.Name == "" {
		o.Name = DefaultStore
	}
	if o.Kind == "" {
		o.Kind = "SecretStore"
	}
	if o.Kind != "SecretStore" && o.Kind != "ClusterSecretStore" {
		return nil, fmt.Errorf("unknown store kind %q (want SecretStore or ClusterSecretStore)", o.Kind)
	}
	if o.Region == "" {
		return nil, errors.New("secret-store: no region (set --region or AWS_REGION)")
	}
	if err := ValidateName(o.Name); err != nil {
		return nil, err
	}
	ss := secretStore{APIVersion: "external-secrets.io/v1", Kind: o.Kind, Metadata: meta{Name: o.Name}}
	refNS := ""
	if o.Kind == "SecretStore" {
		ss.Metadata.Namespace = o.Namespace
	} else {
		refNS = o.Namespace
		if refNS == "" && o.Auth != AuthPodIdentity {
			return nil, errors.New("secret-store: a ClusterSecretStore needs --namespace for its service account or credentials Secret")
		}
	}
	ss.Spec.Provider.AWS = awsProvider{Service: "SecretsManager", Region: o.Region}
	switch o.Auth {
	case AuthIRSA, "":
		sa := o.ServiceAccount
		if sa == "" {
			sa = "external-secrets"
		}
		ss.Spec.Provider.AWS.Auth = &awsAuth{JWT: &jwtAuth{ServiceAccountRef: selectorRef{Name: sa, Namespace: refNS}}}
	case AuthStatic:
		cs := o.CredentialsSecret
		if cs == "" {
			cs = "aws-credentials"
		}
		ss.Spec.Provider.AWS.Auth = &awsAuth{SecretRef: &staticAuth{
			AccessKeyID:     selectorRef{Name: cs, Key: "access-key-id", Namespace: refNS},
			SecretAccessKey: selectorRef{Name: cs, Key: "secret-access-key", Namespace: refNS},
		}}
	case AuthPodIdentity:
	default:
		return nil, fmt.Errorf("unknown auth %q (want irsa, static or pod-identity)", o.Auth)
	}
	return yaml.Marshal(ss)
}
