package awssm_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/awssm"
)

// TestAWSCLICrossCheck writes through awssm and reads back with the AWS CLI,
// and the other way round, all against one in-process kumo.
func TestAWSCLICrossCheck(t *testing.T) {
	ctx := t.Context()
	ep := awsxtest.StartKumo(t)
	s := awssm.New(awsx.NewClients(awsxtest.Config(t, ep), ep).SecretsManager, awssm.Options{})
	name := unique(t, "cli")
	v := canary(t)
	ref, err := s.Create(ctx, name, store.CreateInput{Value: v, Description: "cross-check"})
	if err != nil {
		t.Fatal(err)
	}

	var got struct {
		ARN, Name, VersionId, SecretString, SecretBinary string
		VersionStages                                    []string
	}
	if err := json.Unmarshal(awsxtest.AWSCLI(t, ep, "secretsmanager", "get-secret-value", "--secret-id", name), &got); err != nil {
		t.Fatalf("parse get-secret-value output: %v", err)
	}
	if got.SecretString != v.RevealString() {
		t.Error("the AWS CLI read a different SecretString")
	}
	if got.ARN != ref.ARN || got.Name != name || got.VersionId != ref.VersionID || len(got.VersionStages) != 1 || got.VersionStages[0] != "AWSCURRENT" {
		t.Errorf("AWS CLI saw ARN %q Name %q Version %q Stages %v; want %q %q %q [AWSCURRENT]",
			got.ARN, got.Name, got.VersionId, got.VersionStages, ref.ARN, name, ref.VersionID)
	}

	// Binary values: the CLI prints SecretBinary base64.
	binName := unique(t, "cli-bin")
	raw := []byte{0x00, 0xff, 0x10, 0x80, 'x'}
	if _, err := s.Create(ctx, binName, store.CreateInput{Value: secret.NewBytes(raw, true)}); err != nil {
		t.Fatal(err)
	}
	got.SecretBinary = ""
	if err := json.Unmarshal(awsxtest.AWSCLI(t, ep, "secretsmanager", "get-secret-value", "--secret-id", binName), &got); err != nil {
		t.Fatal(err)
	}
	if dec, err := base64.StdEncoding.DecodeString(got.SecretBinary); err != nil || !bytes.Equal(dec, raw) {
		t.Errorf("the AWS CLI read SecretBinary %q (%v), want base64 of %x", got.SecretBinary, err, raw)
	}

	// The CLI writes, awssm reads: AWSCURRENT moves, AWSPREVIOUS follows.
	v2 := canary(t)
	awsxtest.AWSCLI(t, ep, "secretsmanager", "put-secret-value", "--secret-id", name, "--secret-string", v2.RevealString())
	cur, err := s.Get(ctx, name, store.GetOptions{})
	if err != nil || !cur.Value.Equal(v2) {
		t.Errorf("awssm after a CLI put: err %v, value equal %v", err, cur.Value.Equal(v2))
	}
	prev, err := s.Get(ctx, name, store.GetOptions{Stage: store.StagePrevious})
	if err != nil || prev.VersionID != ref.VersionID || !prev.Value.Equal(v) {
		t.Errorf("AWSPREVIOUS after a CLI put: version %q err %v", prev.VersionID, err)
	}
	var desc struct{ Description string }
	if err := json.Unmarshal(awsxtest.AWSCLI(t, ep, "secretsmanager", "describe-secret", "--secret-id", ref.ARN), &desc); err != nil || desc.Description != "cross-check" {
		t.Errorf("describe-secret: %q, %v", desc.Description, err)
	}
}
