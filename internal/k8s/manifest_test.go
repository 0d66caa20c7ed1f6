package k8s

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestObjectName(t *testing.T) {
	for in, want := range map[string]string{
		"prod/database/credentials": "database-credentials",
		"db":                        "db",
		"prod/API_Key":              "api-key",
		"/prod/shop/db/":            "shop-db",
	} {
		if got := ObjectName(in); got != want {
			t.Errorf("ObjectName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestData(t *testing.T) {
	canary := "canary-k8s-data"
	d, err := Data("prod/db", []byte(`{"username":"dbadmin","password":"`+canary+`","port":5432,"opts":{"a":1}}`), TypeOpaque)
	if err != nil {
		t.Fatal(err)
	}
	if string(d["username"]) != "dbadmin" || string(d["password"]) != canary || string(d["port"]) != "5432" || string(d["opts"]) != `{"a":1}` {
		t.Errorf("data = %q", d)
	}
	d, err = Data("prod/api/stripe-key", []byte(canary), TypeOpaque)
	if err != nil || string(d["stripe-key"]) != canary || len(d) != 1 {
		t.Errorf("plain value: %q %v", d, err)
	}
	docker := `{"auths":{"ghcr.io":{"username":"ci","password":"` + canary + `"}}}`
	d, err = Data("prod/registry", []byte(docker), TypeDockerConfigJSON)
	if err != nil || string(d[".dockerconfigjson"]) != docker {
		t.Errorf("docker config: %q %v", d, err)
	}
	for _, c := range []struct{ value, typ, want string }{
		{`{"tls.crt":"x"}`, TypeTLS, `no key "tls.key"`},
		{`{"user":"` + canary + `"}`, TypeDockerConfigJSON, "neither a Docker config"},
		{`{"bad key":"` + canary + `"}`, TypeOpaque, `key "bad key"`},
		{canary, "kubernetes.io/ssh-auth", "unknown Secret type"},
	} {
		_, err := Data("prod/x", []byte(c.value), c.typ)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), canary) {
			t.Errorf("Data(%s, %s) error = %v, want %q and no value", c.value, c.typ, err, c.want)
		}
	}
}

func TestExternalSecret(t *testing.T) {
	got, err := ExternalSecret(ExternalSecretOptions{Source: "prod/database/credentials", Keys: []string{"password", "username"}, Namespace: "production", Refresh: "5s"})
	if err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: database-credentials
  namespace: production
spec:
  data:
  - remoteRef:
      key: prod/database/credentials
      property: password
    secretKey: password
  - remoteRef:
      key: prod/database/credentials
      property: username
    secretKey: username
  refreshInterval: 5s
  secretStoreRef:
    kind: SecretStore
    name: aws-secrets-manager
  target:
    creationPolicy: Owner
    name: database-credentials
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	got, err = ExternalSecret(ExternalSecretOptions{Source: "prod/api/stripe-key", StoreKind: "ClusterSecretStore", Store: "aws", Target: "stripe"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(got, &m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "key: prod/api/stripe-key\n    secretKey: stripe-key") || strings.Contains(string(got), "property") {
		t.Errorf("whole-value ExternalSecret:\n%s", got)
	}
	if _, err := ExternalSecret(ExternalSecretOptions{Source: "x", StoreKind: "Vault"}); err == nil {
		t.Error("unknown store kind accepted")
	}
}

func TestSecretStore(t *testing.T) {
	irsa, err := SecretStore(SecretStoreOptions{Namespace: "production", Region: "eu-west-1", ServiceAccount: "eso-sa"})
	if err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: external-secrets.io/v1
kind: SecretStore
metadata:
  name: aws-secrets-manager
  namespace: production
spec:
  provider:
    aws:
      auth:
        jwt:
          serviceAccountRef:
            name: eso-sa
      region: eu-west-1
      service: SecretsManager
`
	if string(irsa) != want {
		t.Errorf("irsa got\n%s\nwant\n%s", irsa, want)
	}
	static, err := SecretStore(SecretStoreOptions{Kind: "ClusterSecretStore", Namespace: "eso", Region: "us-east-1", Auth: AuthStatic})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"kind: ClusterSecretStore", "accessKeyIDSecretRef:\n            key: access-key-id\n            name: aws-credentials\n            namespace: eso"} {
		if !strings.Contains(string(static), s) {
			t.Errorf("static store lacks %q:\n%s", s, static)
		}
	}
	pod, err := SecretStore(SecretStoreOptions{Region: "us-east-1", Auth: AuthPodIdentity})
	if err != nil || strings.Contains(string(pod), "auth:") {
		t.Errorf("pod identity: %v\n%s", err, pod)
	}
	for _, o := range []SecretStoreOptions{{}, {Region: "x", Auth: "oidc"}, {Region: "x", Kind: "ClusterSecretStore"}} {
		if _, err := SecretStore(o); err == nil {
			t.Errorf("SecretStore(%+v) accepted", o)
		}
	}
}

func TestBuildAndMask(t *testing.T) {
	canary := "canary-k8s-build"
	s, err := Build(SecretSpec{Name: "db", Namespace: "production", Source: Source{Name: "prod/db", ARN: "arn:aws:secretsmanager:us-east-1:1:secret:prod/db-AbCdEf", VersionID: "v1", Value: []byte(`{"password":"` + canary + `"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Labels[ManagedByLabel] != "secretctl" || s.Annotations[VersionAnnotation] != "v1" || s.Annotations[ARNAnnotation] == "" {
		t.Errorf("labels %v annotations %v", s.Labels, s.Annotations)
	}
	masked, err := SecretYAML(s, true)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(masked), canary) || !strings.Contains(string(masked), "password: '********'") {
		t.Errorf("masked:\n%s", masked)
	}
	plain, err := SecretYAML(s, false)
	if err != nil || strings.Contains(string(plain), "creationTimestamp") || !strings.Contains(string(plain), "password: Y2FuYXJ5") {
		t.Errorf("plain: %v\n%s", err, plain)
	}
}
