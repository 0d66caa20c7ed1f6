package awssm_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/awssm"
)

const (
	recorded = "../../../testdata/aws"
	arn      = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/payments/db-Xk3p9Q"
	name     = "prod/payments/db"
	current  = "3d8f7a21-6c5e-4b9a-8f0d-1e2c3b4a5d6e"
	pending  = "9b2e6c1d-5a4f-4e3b-8c7d-0f1e2d3c4b5a"
	previous = "c2a1f0e9-8d7c-4b6a-9e5d-4c3b2a1f0e9d"
)

func sm(op string) string { return "secretsmanager." + op }

// replayStore returns an awssm.Store whose SDK client talks to a Replay
// server scripted with ex.
func replayStore(t *testing.T, opts awssm.Options, ex ...awsxtest.Exchange) (*awssm.Store, *awsxtest.Replay) {
	t.Helper()
	r := awsxtest.NewReplay(t, recorded, ex...)
	c := awsx.NewClients(awsxtest.Config(t, r.URL), r.URL)
	return awssm.New(c.SecretsManager, opts), r
}

func TestReplayCreateWithToken(t *testing.T) {
	v := canary(t)
	tok := "4f6ab2c0-8d1e-4f5a-9b3c-2e7d1a0c5b91"
	s, _ := replayStore(t, awssm.Options{}, awsxtest.Exchange{
		Target: sm("CreateSecret"),
		Want: map[string]any{
			"Name": name, "ClientRequestToken": tok, "SecretString": v.RevealString(), "Description": "payments database",
			"Tags": []map[string]string{{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "payments"}},
		},
		Absent: []string{"SecretBinary", "KmsKeyId"},
		File:   "CreateSecret.json",
	})
	ref, err := s.Create(t.Context(), name, store.CreateInput{
		Value: v, Token: tok, Description: "payments database", Tags: map[string]string{"team": "payments", "env": "prod"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if ref.ARN != arn || ref.Name != name || ref.VersionID != tok || !slices.Equal(ref.Stages, []string{store.StageCurrent}) {
		t.Errorf("ref = %+v", ref)
	}
}

func TestReplayGet(t *testing.T) {
	s, _ := replayStore(t, awssm.Options{},
		awsxtest.Exchange{Target: sm("GetSecretValue"), Want: map[string]any{"SecretId": name}, Absent: []string{"VersionId", "VersionStage"}, File: "GetSecretValue.json"},
		awsxtest.Exchange{Target: sm("GetSecretValue"), Want: map[string]any{"SecretId": arn, "VersionId": current, "VersionStage": "AWSCURRENT"}, File: "GetSecretValue-binary.json"},
	)
	got, err := s.Get(t.Context(), name, store.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Value.RevealString() != `{"username":"app","password":"replay-canary-7Hq2"}` || got.Value.IsBinary() ||
		got.VersionID != current || got.ARN != arn || !slices.Equal(got.Stages, []string{"AWSCURRENT"}) ||
		!got.CreatedDate.Equal(time.UnixMilli(1741951203412)) {
		t.Errorf("Get = %+v (created %v)", got, got.CreatedDate)
	}
	bin, err := s.Get(t.Context(), arn, store.GetOptions{VersionID: current, Stage: "AWSCURRENT"})
	if err != nil {
		t.Fatal(err)
	}
	if !bin.Value.IsBinary() || string(bin.Value.Reveal()) != "\x00\xff\x10replay-binary-canary" {
		t.Errorf("binary value = %q (binary %v)", bin.Value.Reveal(), bin.Value.IsBinary())
	}
}

func TestReplayPutPending(t *testing.T) {
	v := secret.NewBytes([]byte{0, 1, 2, 3}, true)
	s, r := replayStore(t, awssm.Options{}, awsxtest.Exchange{
		Target: sm("PutSecretValue"),
		Want:   map[string]any{"SecretId": name, "ClientRequestToken": pending, "VersionStages": []string{"AWSPENDING"}, "SecretBinary": "AAECAw=="},
		Absent: []string{"SecretString"},
		File:   "PutSecretValue-pending.json",
	})
	ref, err := s.Put(t.Context(), name, v, store.PutOptions{Token: pending, Stages: []string{store.StagePending}})
	if err != nil {
		t.Fatal(err)
	}
	if ref.VersionID != pending || !slices.Equal(ref.Stages, []string{"AWSPENDING"}) || ref.ARN != arn {
		t.Errorf("ref = %+v", ref)
	}
	_ = r
}

func TestReplayDescribeRotation(t *testing.T) {
	s, _ := replayStore(t, awssm.Options{}, awsxtest.Exchange{
		Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": name}, File: "DescribeSecret-pending.json",
	})
	m, err := s.Describe(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	if m.ARN != arn || m.Description != "payments database" || !strings.HasPrefix(m.KmsKeyID, "arn:aws:kms:") ||
		m.Tags["team"] != "payments" || m.Tags["env"] != "prod" || m.DeletedDate != nil {
		t.Errorf("Describe = %+v", m)
	}
	if m.RotationEnabled == nil || !*m.RotationEnabled || !strings.HasSuffix(m.RotationLambda, ":function:rotate-payments-db") ||
		m.RotationRules == nil || m.RotationRules.AutomaticallyAfterDays != 30 || m.RotationRules.ScheduleExpression != "rate(30 days)" {
		t.Errorf("rotation fields = %v %q %+v", m.RotationEnabled, m.RotationLambda, m.RotationRules)
	}
	if m.LastRotatedDate == nil || m.NextRotationDate == nil || m.LastChangedDate == nil || m.LastAccessedDate == nil ||
		!m.NextRotationDate.Equal(time.Unix(1744588799, 0)) {
		t.Errorf("dates = rotated %v next %v changed %v accessed %v", m.LastRotatedDate, m.NextRotationDate, m.LastChangedDate, m.LastAccessedDate)
	}
	if m.CurrentVersion() != current || m.VersionWith(store.StagePending) != pending || m.VersionWith(store.StagePrevious) != previous {
		t.Errorf("versions = %v", m.Versions)
	}
}

func TestReplayVersionsPaging(t *testing.T) {
	s, _ := replayStore(t, awssm.Options{PageSize: 2},
		awsxtest.Exchange{Target: sm("ListSecretVersionIds"), Want: map[string]any{"SecretId": name, "IncludeDeprecated": true, "MaxResults": 2},
			Absent: []string{"NextToken"}, File: "ListSecretVersionIds-page1.json"},
		awsxtest.Exchange{Target: sm("ListSecretVersionIds"), Want: map[string]any{"SecretId": name, "IncludeDeprecated": true, "NextToken": "AYADeEXAMPLEtokenPage2"},
			File: "ListSecretVersionIds-page2.json"},
	)
	vs, err := s.Versions(t.Context(), name, true)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.VersionID)
	}
	want := []string{pending, current, previous, "7e6d5c4b-3a2f-4e1d-8c0b-9a8f7e6d5c4b"}
	if !slices.Equal(ids, want) {
		t.Fatalf("versions = %v, want newest first %v", ids, want)
	}
	if len(vs[3].Stages) != 0 || vs[1].LastAccessedDate == nil || vs[0].LastAccessedDate != nil || vs[2].CreatedDate.IsZero() {
		t.Errorf("versions = %+v", vs)
	}
}

func TestReplayVersionsNotDeprecated(t *testing.T) {
	s, _ := replayStore(t, awssm.Options{}, awsxtest.Exchange{
		Target: sm("ListSecretVersionIds"), Want: map[string]any{"SecretId": name}, Absent: []string{"IncludeDeprecated", "MaxResults"},
		File: "ListSecretVersionIds-page2.json",
	})
	if _, err := s.Versions(t.Context(), name, false); err != nil {
		t.Fatal(err)
	}
}

func TestReplayUpdateStage(t *testing.T) {
	s, _ := replayStore(t, awssm.Options{},
		awsxtest.Exchange{Target: sm("UpdateSecretVersionStage"),
			Want: map[string]any{"SecretId": name, "VersionStage": "AWSCURRENT", "MoveToVersionId": pending, "RemoveFromVersionId": current},
			File: "UpdateSecretVersionStage.json"},
		awsxtest.Exchange{Target: sm("UpdateSecretVersionStage"),
			Want: map[string]any{"SecretId": name, "VersionStage": "AWSPENDING", "RemoveFromVersionId": pending}, Absent: []string{"MoveToVersionId"},
			File: "UpdateSecretVersionStage.json"},
		awsxtest.Exchange{Target: sm("UpdateSecretVersionStage"),
			Want: map[string]any{"VersionStage": "AWSCURRENT", "MoveToVersionId": pending}, Absent: []string{"RemoveFromVersionId"},
			Status: 400, File: "errors/InvalidParameterException-remove-from.json"},
	)
	ref, err := s.UpdateStage(t.Context(), name, store.StageMove{Stage: store.StageCurrent, MoveTo: pending, RemoveFrom: current})
	if err != nil {
		t.Fatal(err)
	}
	if ref.ARN != arn || ref.Name != name || ref.VersionID != pending {
		t.Errorf("ref = %+v", ref)
	}
	if _, err := s.UpdateStage(t.Context(), name, store.StageMove{Stage: store.StagePending, RemoveFrom: pending}); err != nil {
		t.Fatal(err)
	}
	_, err = s.UpdateStage(t.Context(), name, store.StageMove{Stage: store.StageCurrent, MoveTo: pending})
	if !errors.Is(err, store.ErrInvalidParameter) || !strings.Contains(err.Error(), "(InvalidParameterException): The parameter RemoveFromVersionId can't be empty") {
		t.Errorf("err = %v", err)
	}
	// Without a version there is nothing to send.
	if _, err := s.UpdateStage(t.Context(), name, store.StageMove{Stage: store.StageCurrent}); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("UpdateStage without versions: %v", err)
	}
}

func TestReplayDeleteRestore(t *testing.T) {
	s, _ := replayStore(t, awssm.Options{},
		awsxtest.Exchange{Target: sm("DeleteSecret"), Want: map[string]any{"SecretId": name, "RecoveryWindowInDays": 30},
			Absent: []string{"ForceDeleteWithoutRecovery"}, File: "DeleteSecret.json"},
		awsxtest.Exchange{Target: sm("GetSecretValue"), Status: 400, File: "errors/InvalidRequestException-marked-for-deletion.json"},
		awsxtest.Exchange{Target: sm("CreateSecret"), Status: 400, File: "errors/InvalidRequestException-scheduled-for-deletion.json"},
		awsxtest.Exchange{Target: sm("RestoreSecret"), Want: map[string]any{"SecretId": name}, File: "RestoreSecret.json"},
		awsxtest.Exchange{Target: sm("DeleteSecret"), Want: map[string]any{"SecretId": arn, "ForceDeleteWithoutRecovery": true},
			Absent: []string{"RecoveryWindowInDays"}, File: "DeleteSecret.json"},
	)
	ref, when, err := s.Delete(t.Context(), name, store.DeleteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ref.ARN != arn || !when.Equal(time.UnixMilli(1742556003519)) {
		t.Errorf("Delete = %+v %v", ref, when)
	}
	_, err = s.Get(t.Context(), name, store.GetOptions{})
	if !errors.Is(err, store.ErrMarkedForDeletion) || err.Error() != "get prod/payments/db: secret is marked for deletion (InvalidRequestException)" {
		t.Errorf("Get while deleted: %v", err)
	}
	v := canary(t)
	_, err = s.Create(t.Context(), name, store.CreateInput{Value: v})
	if !errors.Is(err, store.ErrMarkedForDeletion) {
		t.Errorf("Create of a name pending deletion: %v", err)
	}
	noLeak(t, v, errText(err))
	if ref, err := s.Restore(t.Context(), name); err != nil || ref.ARN != arn || ref.Name != name {
		t.Errorf("Restore = %+v, %v", ref, err)
	}
	if _, _, err := s.Delete(t.Context(), arn, store.DeleteOptions{Force: true}); err != nil {
		t.Errorf("force Delete: %v", err)
	}
}

func TestReplayTags(t *testing.T) {
	s, _ := replayStore(t, awssm.Options{},
		awsxtest.Exchange{Target: sm("TagResource"),
			Want: map[string]any{"SecretId": name, "Tags": []map[string]string{{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": ""}}},
			File: "TagResource.json"},
		awsxtest.Exchange{Target: sm("UntagResource"), Want: map[string]any{"SecretId": name, "TagKeys": []string{"owner", "absent"}}, File: "UntagResource.json"},
		awsxtest.Exchange{Target: sm("TagResource"), Status: 400, File: "errors/InvalidRequestException-marked-for-deletion.json"},
	)
	if err := s.Tag(t.Context(), name, map[string]string{"owner": "", "env": "prod"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Untag(t.Context(), name, []string{"owner", "absent"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Tag(t.Context(), name, map[string]string{"k": "v"}); !errors.Is(err, store.ErrMarkedForDeletion) {
		t.Errorf("Tag while deleted: %v", err)
	}
	// Nothing to do: no call (the script would reject one).
	if err := s.Tag(t.Context(), name, nil); err != nil {
		t.Error(err)
	}
	if err := s.Untag(t.Context(), name, nil); err != nil {
		t.Error(err)
	}
}

func TestReplayListEmptyPageAndFilters(t *testing.T) {
	filters := []map[string]any{
		{"Key": "name", "Values": []string{"prod/payments/"}},
		{"Key": "tag-key", "Values": []string{"team"}},
		{"Key": "tag-value", "Values": []string{"payments"}},
	}
	s, _ := replayStore(t, awssm.Options{PageSize: 1},
		awsxtest.Exchange{Target: sm("ListSecrets"), Want: map[string]any{"Filters": filters, "MaxResults": 1},
			Absent: []string{"NextToken", "IncludePlannedDeletion"}, File: "ListSecrets-page1.json"},
		awsxtest.Exchange{Target: sm("ListSecrets"), Want: map[string]any{"Filters": filters, "NextToken": "AYADeEXAMPLElistPage2"}, File: "ListSecrets-page2-empty.json"},
		awsxtest.Exchange{Target: sm("ListSecrets"), Want: map[string]any{"Filters": filters, "NextToken": "AYADeEXAMPLElistPage3"}, File: "ListSecrets-page3.json"},
		// Without filters, the empty page is crossed too and every entry kept.
		awsxtest.Exchange{Target: sm("ListSecrets"), Want: map[string]any{"IncludePlannedDeletion": true}, Absent: []string{"Filters"}, File: "ListSecrets-page1.json"},
		awsxtest.Exchange{Target: sm("ListSecrets"), File: "ListSecrets-page2-empty.json"},
		awsxtest.Exchange{Target: sm("ListSecrets"), File: "ListSecrets-page3.json"},
	)
	got, err := s.List(t.Context(), store.ListOptions{Prefix: "prod/payments/", Tags: map[string]string{"team": "payments"}})
	if err != nil {
		t.Fatal(err)
	}
	// page 3 holds team=payments-ops, which AWS's prefix-matching tag-value
	// filter returns; the exact check drops it.
	if len(got) != 1 || got[0].Name != name || got[0].ARN != arn || got[0].CurrentVersion() != current ||
		got[0].VersionWith(store.StagePrevious) != previous || got[0].Tags["env"] != "prod" {
		t.Fatalf("List = %+v", got)
	}
	all, err := s.List(t.Context(), store.ListOptions{IncludeDeleted: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Name != "prod/payments/api-key" || all[1].Name != name {
		t.Errorf("List all = %v", all)
	}
}

func TestReplayErrors(t *testing.T) {
	v := canary(t)
	cases := []struct {
		file   string
		target error
		text   string
	}{
		{"errors/ResourceNotFoundException.json", store.ErrNotFound, "get prod/payments/db: secret not found (ResourceNotFoundException)"},
		{"errors/ResourceNotFoundException-stage.json", store.ErrVersionNotFound, "get prod/payments/db: version not found (ResourceNotFoundException)"},
		{"errors/InvalidRequestException-marked-for-deletion.json", store.ErrMarkedForDeletion, "(InvalidRequestException)"},
		{"errors/InvalidRequestException-rotation.json", store.ErrInvalidRequest, "invalid request (InvalidRequestException): A previous rotation"},
		{"errors/AccessDeniedException.json", awsx.ErrAccessDenied, "access denied (AccessDeniedException): User: arn:aws:iam::111122223333:user/ci-deployer is not authorized"},
		{"errors/DecryptionFailure.json", store.ErrDecryption, "cannot decrypt (DecryptionFailure)"},
		{"errors/LimitExceededException.json", store.ErrLimitExceeded, "limit exceeded (LimitExceededException)"},
		{"errors/ResourceExistsException.json", store.ErrExists, "secret already exists (ResourceExistsException)"},
		{"errors/ExpiredTokenException.json", awsx.ErrCredentials, "(ExpiredTokenException)"},
	}
	var script []awsxtest.Exchange
	for _, c := range cases {
		script = append(script, awsxtest.Exchange{Target: sm("PutSecretValue"), Status: 400, File: c.file})
		script = append(script, awsxtest.Exchange{Target: sm("GetSecretValue"), Status: 400, File: c.file})
	}
	s, _ := replayStore(t, awssm.Options{}, script...)
	for _, c := range cases {
		_, perr := s.Put(t.Context(), name, v, store.PutOptions{})
		_, gerr := s.Get(t.Context(), name, store.GetOptions{})
		for _, err := range []error{perr, gerr} {
			if !errors.Is(err, c.target) {
				t.Errorf("%s: %v, want %v", c.file, err, c.target)
				continue
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("%s: error is not one line: %q", c.file, err)
			}
			noLeak(t, v, err.Error())
		}
		if !strings.Contains(gerr.Error(), c.text) {
			t.Errorf("%s: %q lacks %q", c.file, gerr, c.text)
		}
	}
}

func TestReplayUpdate(t *testing.T) {
	s, _ := replayStore(t, awssm.Options{},
		awsxtest.Exchange{Target: sm("UpdateSecret"), Want: map[string]any{"SecretId": name, "Description": "new", "KmsKeyId": ""},
			Absent: []string{"SecretString", "SecretBinary"}, Body: `{"ARN":"` + arn + `","Name":"` + name + `"}`},
		awsxtest.Exchange{Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": name}, File: "DescribeSecret-pending.json"},
	)
	ref, err := s.Update(t.Context(), name, store.UpdateInput{Description: new("new"), KmsKeyID: new("")})
	if err != nil || ref.ARN != arn || ref.VersionID != "" {
		t.Errorf("Update = %+v, %v", ref, err)
	}
	if ref, err := s.Update(t.Context(), name, store.UpdateInput{}); err != nil || ref.ARN != arn {
		t.Errorf("empty Update = %+v, %v", ref, err)
	}
}
