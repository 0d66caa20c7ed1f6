// Package storetest is the conformance suite for store.Store: the behaviour
// contract of docs/semantics.md written as tests. Every backend runs it
// (local on t.TempDir(), awssm on kumo, and real AWS when asked):
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return open(t) }, storetest.Caps{})
//	}
//
// Each subtest uses secret names unique to the run (a prefix derived from
// t.Name() plus a random suffix), so backends whose state outlives a test,
// such as an emulator shared by the whole process, can run it repeatedly.
// Caps lets a backend skip what it cannot do; a skipped subtest says why.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// Caps lists what a backend cannot do. The zero value claims everything.
type Caps struct {
	NoRestore      bool // RestoreSecret is missing
	NoUpdateStage  bool // UpdateSecretVersionStage is missing
	NoListVersions bool // ListSecretVersionIds is missing
	NoTags         bool // TagResource/UntagResource are missing (tags on create still work)
	NoPendingPut   bool // Put with Stages=[AWSPENDING] wrongly moves AWSCURRENT
}

type testCase struct {
	name string
	skip func(Caps) string // a reason to skip, or ""
	run  func(t *testing.T, s store.Store)
}

// Run runs the conformance suite against the stores newStore returns. It
// calls newStore once per subtest.
func Run(t *testing.T, newStore func(t *testing.T) store.Store, caps Caps) {
	t.Helper()
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != nil {
				if reason := tc.skip(caps); reason != "" {
					t.Skip("backend lacks " + reason)
				}
			}
			tc.run(t, newStore(t))
		})
	}
}

func noRestore(c Caps) string {
	if c.NoRestore {
		return "RestoreSecret"
	}
	return ""
}

func noUpdateStage(c Caps) string {
	if c.NoUpdateStage {
		return "UpdateSecretVersionStage"
	}
	return ""
}

func noListVersions(c Caps) string {
	if c.NoListVersions {
		return "ListSecretVersionIds"
	}
	return ""
}

func noTags(c Caps) string {
	if c.NoTags {
		return "TagResource/UntagResource"
	}
	return ""
}

func noPendingPut(c Caps) string {
	if c.NoPendingPut {
		return "PutSecretValue with VersionStages=[AWSPENDING] that leaves AWSCURRENT alone"
	}
	return ""
}

func cases() []testCase {
	return []testCase{
		{name: "CreateGetString", run: testCreateGetString},
		{name: "CreateGetBinary", run: testCreateGetBinary},
		{name: "NotUTF8StringRefused", run: testNotUTF8String},
		{name: "GetByARN", run: testGetByARN},
		{name: "GetMissing", run: testGetMissing},
		{name: "PutMovesCurrent", run: testPutMovesCurrent},
		{name: "PutPendingLeavesCurrent", skip: noPendingPut, run: testPutPending},
		{name: "TokenIdempotency", run: testTokenIdempotency},
		{name: "CreateWithoutValue", run: testCreateWithoutValue},
		{name: "CreateExisting", run: testCreateExisting},
		{name: "UpdateStageMovesCurrent", skip: noUpdateStage, run: testUpdateStageCurrent},
		{name: "UpdateStageCustomLabel", skip: noUpdateStage, run: testUpdateStageCustom},
		{name: "Versions", skip: noListVersions, run: testVersions},
		{name: "UpdateDescription", run: testUpdateDescription},
		{name: "List", run: testList},
		{name: "Describe", run: testDescribe},
		{name: "DeleteWithRecovery", run: testDeleteRecovery},
		{name: "UpdateStageWhileDeleted", skip: noUpdateStage, run: testUpdateStageDeleted},
		{name: "Restore", skip: noRestore, run: testRestore},
		{name: "DeleteForce", run: testDeleteForce},
		{name: "InvalidParameters", run: testInvalid},
		{name: "Tags", skip: noTags, run: testTags},
		{name: "GetBatch", run: testGetBatch},
		{name: "GetBatchEmpty", run: testGetBatchEmpty},
		{name: "ErrorText", run: testErrorText},
	}
}

// testErrorText: every backend gives the same text for the same failure,
// naming the operation and the secret once, then the typed error and the
// AWS error code (the service's own message, which repeats the subject, is
// not part of it).
func testErrorText(t *testing.T, s store.Store) {
	name := uniqueName(t, "db")
	missing := uniqueName(t, "missing")
	if _, err := s.Create(ctx(t), name, store.CreateInput{Value: canary(t)}); err != nil {
		t.Fatal(err)
	}
	check := func(what string, err error, want string) {
		t.Helper()
		var oe *store.OpError
		if !errors.As(err, &oe) {
			t.Errorf("%s: %T %v, want a *store.OpError", what, err, err)
			return
		}
		if err.Error() != want {
			t.Errorf("%s:\n got %q\nwant %q", what, err, want)
		}
	}
	_, err := s.Create(ctx(t), name, store.CreateInput{Value: canary(t)})
	check("Create existing", err, "create "+name+": secret already exists (ResourceExistsException)")
	_, err = s.Get(ctx(t), missing, store.GetOptions{})
	check("Get missing", err, "get "+missing+": secret not found (ResourceNotFoundException)")
	_, err = s.Describe(ctx(t), missing)
	check("Describe missing", err, "describe "+missing+": secret not found (ResourceNotFoundException)")
	_, err = s.Get(ctx(t), name, store.GetOptions{Stage: "NOSUCHLABEL"})
	check("Get missing label", err, "get "+name+": version not found (ResourceNotFoundException)")
	_, _, err = s.Delete(ctx(t), name, store.DeleteOptions{RecoveryDays: 3})
	check("Delete with 3 days", err, "delete "+name+": invalid parameter (InvalidParameterException): the recovery window is 7 to 30 days, not 3")
	_, err = s.Put(ctx(t), name, canary(t), store.PutOptions{Token: "short"})
	check("Put with a short token", err, "put "+name+": invalid parameter (InvalidParameterException): a ClientRequestToken has 32 to 64 characters")
	if _, _, err := s.Delete(ctx(t), name, store.DeleteOptions{RecoveryDays: 7}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(ctx(t), name, store.GetOptions{})
	check("Get while deleted", err, "get "+name+": secret is marked for deletion (InvalidRequestException)")
	_, err = s.Put(ctx(t), name, canary(t), store.PutOptions{})
	check("Put while deleted", err, "put "+name+": secret is marked for deletion (InvalidRequestException)")
}

// uniqueName returns a name no other test run uses: a prefix derived from
// the test name and a random suffix. It never ends in "-" plus 6 characters.
func uniqueName(t *testing.T, leaf string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("storetest/")
	for _, r := range t.Name() {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '/', r == '_':
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	b.WriteString("/" + randString(10) + "/" + leaf)
	return b.String()
}

func randString(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic(err)
	}
	for i := range buf {
		buf[i] = alphabet[int(buf[i])%len(alphabet)]
	}
	return string(buf)
}

// canary returns a unique value that must never show up outside a Get.
func canary(t *testing.T) secret.Value {
	t.Helper()
	return secret.New("canary-" + randString(24))
}

func token() string { return uuid.NewString() }

func ctx(t *testing.T) context.Context {
	t.Helper()
	return t.Context()
}

func mustCreate(t *testing.T, s store.Store, name string, in store.CreateInput) store.Ref {
	t.Helper()
	ref, err := s.Create(ctx(t), name, in)
	if err != nil {
		t.Fatalf("Create(%q): %v", name, err)
	}
	return ref
}

func mustPut(t *testing.T, s store.Store, id string, v secret.Value, o store.PutOptions) store.Ref {
	t.Helper()
	ref, err := s.Put(ctx(t), id, v, o)
	if err != nil {
		t.Fatalf("Put(%q): %v", id, err)
	}
	return ref
}

func mustGet(t *testing.T, s store.Store, id string, o store.GetOptions) store.Secret {
	t.Helper()
	got, err := s.Get(ctx(t), id, o)
	if err != nil {
		t.Fatalf("Get(%q, %+v): %v", id, o, err)
	}
	return got
}

func mustDescribe(t *testing.T, s store.Store, id string) store.Meta {
	t.Helper()
	m, err := s.Describe(ctx(t), id)
	if err != nil {
		t.Fatalf("Describe(%q): %v", id, err)
	}
	return m
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want one wrapping %q", what, err, target)
	}
}

// assertNoLeak fails when the canary's bytes appear in any of texts.
func assertNoLeak(t *testing.T, v secret.Value, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, v.RevealString()) {
			t.Errorf("secret value leaked into %q", s)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func sameValue(t *testing.T, what string, got, want secret.Value) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s: value differs (binary %v/%v, %d/%d bytes)", what, got.IsBinary(), want.IsBinary(), got.Len(), want.Len())
	}
}

func hasStage(stages []string, s string) bool { return slices.Contains(stages, s) }

func testCreateGetString(t *testing.T, s store.Store) {
	name := uniqueName(t, "str")
	v := canary(t)
	tok := token()
	ref := mustCreate(t, s, name, store.CreateInput{Value: v, Token: tok, Description: "a string secret"})
	if ref.Name != name || ref.ARN == "" || ref.VersionID != tok {
		t.Errorf("Create ref = %+v; want name %q, an ARN and version %q", ref, name, tok)
	}
	got := mustGet(t, s, name, store.GetOptions{})
	sameValue(t, "Get", got.Value, v)
	if got.Value.IsBinary() {
		t.Error("a string value came back binary")
	}
	if got.VersionID != tok || got.ARN != ref.ARN || got.Name != name || !hasStage(got.Stages, store.StageCurrent) {
		t.Errorf("Get = {ARN %q Name %q Version %q Stages %v}; want %q %q %q with AWSCURRENT", got.ARN, got.Name, got.VersionID, got.Stages, ref.ARN, name, tok)
	}
	if got.CreatedDate.IsZero() {
		t.Error("Get: CreatedDate of the version is zero")
	}
	byID := mustGet(t, s, name, store.GetOptions{VersionID: tok})
	sameValue(t, "Get by version id", byID.Value, v)
	byStage := mustGet(t, s, name, store.GetOptions{Stage: store.StageCurrent})
	sameValue(t, "Get by AWSCURRENT", byStage.Value, v)
	both := mustGet(t, s, name, store.GetOptions{VersionID: tok, Stage: store.StageCurrent})
	sameValue(t, "Get by id and stage", both.Value, v)
}

func testCreateGetBinary(t *testing.T, s store.Store) {
	name := uniqueName(t, "bin")
	raw := []byte{0x00, 0xff, 0x10, 'c', 'a', 'n', 0x80, 0x00, 0x7f}
	raw = append(raw, []byte(randString(16))...)
	v := secret.NewBytes(raw, true)
	mustCreate(t, s, name, store.CreateInput{Value: v})
	got := mustGet(t, s, name, store.GetOptions{})
	if !got.Value.IsBinary() {
		t.Fatal("a binary value came back as a string")
	}
	if !bytes.Equal(got.Value.Reveal(), raw) {
		t.Errorf("binary value differs: %d bytes, want %d", got.Value.Len(), len(raw))
	}
	v2 := secret.NewBytes(append([]byte{0x01}, raw...), true)
	mustPut(t, s, name, v2, store.PutOptions{})
	sameValue(t, "Get after binary Put", mustGet(t, s, name, store.GetOptions{}).Value, v2)
}

// testNotUTF8String: bytes that are not UTF-8 are refused as a string
// (AWS would store U+FFFD in their place) and kept exactly as binary.
func testNotUTF8String(t *testing.T, s store.Store) {
	name := uniqueName(t, "notutf8")
	raw := []byte{0x00, 0x01, 0x02, 0xff, 0xfe}
	_, err := s.Create(ctx(t), name, store.CreateInput{Value: secret.NewBytes(raw, false)})
	if !errors.Is(err, store.ErrInvalidParameter) {
		t.Fatalf("Create with a string value that is not UTF-8 = %v; want ErrInvalidParameter", err)
	}
	v := secret.NewBytes(raw, true)
	mustCreate(t, s, name, store.CreateInput{Value: v})
	if _, err := s.Put(ctx(t), name, secret.NewBytes(raw, false), store.PutOptions{}); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("Put with a string value that is not UTF-8 = %v; want ErrInvalidParameter", err)
	}
	sameValue(t, "Get of the binary value", mustGet(t, s, name, store.GetOptions{}).Value, v)
}

func testGetByARN(t *testing.T, s store.Store) {
	name := uniqueName(t, "arn")
	v := canary(t)
	ref := mustCreate(t, s, name, store.CreateInput{Value: v})
	if !strings.HasPrefix(ref.ARN, "arn:") || !strings.Contains(ref.ARN, ":secret:"+name+"-") || len(ref.ARN) != strings.Index(ref.ARN, ":secret:")+len(":secret:")+len(name)+7 {
		t.Fatalf("ARN %q is not arn:...:secret:<name>-<6 chars>", ref.ARN)
	}
	sameValue(t, "Get by full ARN", mustGet(t, s, ref.ARN, store.GetOptions{}).Value, v)
	partial := ref.ARN[:len(ref.ARN)-7]
	got := mustGet(t, s, partial, store.GetOptions{})
	sameValue(t, "Get by partial ARN", got.Value, v)
	if got.ARN != ref.ARN {
		t.Errorf("Get by partial ARN: ARN %q, want %q", got.ARN, ref.ARN)
	}
	if m := mustDescribe(t, s, ref.ARN); m.Name != name || m.ARN != ref.ARN {
		t.Errorf("Describe by ARN = %q %q, want %q %q", m.Name, m.ARN, name, ref.ARN)
	}
	// A name with the random suffix appended is not a name.
	_, err := s.Get(ctx(t), name+ref.ARN[len(ref.ARN)-7:], store.GetOptions{})
	wantErr(t, "Get of name+suffix", err, store.ErrNotFound)
	assertNoLeak(t, v, errText(err))
}

func testGetMissing(t *testing.T, s store.Store) {
	name := uniqueName(t, "missing")
	_, err := s.Get(ctx(t), name, store.GetOptions{})
	wantErr(t, "Get of a missing secret", err, store.ErrNotFound)
	_, err = s.Describe(ctx(t), name)
	wantErr(t, "Describe of a missing secret", err, store.ErrNotFound)
	_, err = s.Put(ctx(t), name, canary(t), store.PutOptions{})
	wantErr(t, "Put to a missing secret", err, store.ErrNotFound)
	_, err = s.Update(ctx(t), name, store.UpdateInput{Description: new("x")})
	wantErr(t, "Update of a missing secret", err, store.ErrNotFound)
	_, _, err = s.Delete(ctx(t), name, store.DeleteOptions{RecoveryDays: 7})
	wantErr(t, "Delete (with recovery) of a missing secret", err, store.ErrNotFound)

	// A version or stage that does not exist.
	other := uniqueName(t, "present")
	mustCreate(t, s, other, store.CreateInput{Value: canary(t)})
	_, err = s.Get(ctx(t), other, store.GetOptions{Stage: store.StagePending})
	wantErr(t, "Get of an unattached stage", err, store.ErrNotFound)
	_, err = s.Get(ctx(t), other, store.GetOptions{VersionID: token()})
	wantErr(t, "Get of an unknown version id", err, store.ErrNotFound)
}

func testPutMovesCurrent(t *testing.T, s store.Store) {
	name := uniqueName(t, "put")
	v1, v2, v3 := canary(t), canary(t), canary(t)
	t1, t2, t3 := token(), token(), token()
	mustCreate(t, s, name, store.CreateInput{Value: v1, Token: t1})
	ref := mustPut(t, s, name, v2, store.PutOptions{Token: t2})
	if ref.VersionID != t2 || !hasStage(ref.Stages, store.StageCurrent) {
		t.Errorf("Put ref = %+v; want version %q with AWSCURRENT", ref, t2)
	}
	sameValue(t, "Get after Put", mustGet(t, s, name, store.GetOptions{}).Value, v2)
	prev := mustGet(t, s, name, store.GetOptions{Stage: store.StagePrevious})
	sameValue(t, "Get AWSPREVIOUS", prev.Value, v1)
	if prev.VersionID != t1 {
		t.Errorf("AWSPREVIOUS is on %q, want %q", prev.VersionID, t1)
	}
	m := mustDescribe(t, s, name)
	if m.CurrentVersion() != t2 || m.VersionWith(store.StagePrevious) != t1 {
		t.Errorf("versions = %v; want AWSCURRENT on %s and AWSPREVIOUS on %s", m.Versions, t2, t1)
	}

	mustPut(t, s, name, v3, store.PutOptions{Token: t3})
	m = mustDescribe(t, s, name)
	if m.CurrentVersion() != t3 || m.VersionWith(store.StagePrevious) != t2 {
		t.Errorf("after a third Put, versions = %v; want AWSCURRENT on %s and AWSPREVIOUS on %s", m.Versions, t3, t2)
	}
	if _, ok := m.Versions[t1]; ok {
		t.Errorf("the first version kept a label after two Puts: %v", m.Versions)
	}
	// A deprecated version stays readable by id.
	old := mustGet(t, s, name, store.GetOptions{VersionID: t1})
	sameValue(t, "Get of a deprecated version", old.Value, v1)
	if len(old.Stages) != 0 {
		t.Errorf("a deprecated version has stages %v", old.Stages)
	}
	// Version id and stage that name different versions.
	_, err := s.Get(ctx(t), name, store.GetOptions{VersionID: t2, Stage: store.StageCurrent})
	if err == nil {
		t.Error("Get with a version id and a stage that disagree succeeded")
	}
}

func testPutPending(t *testing.T, s store.Store) {
	name := uniqueName(t, "pending")
	v1, v2 := canary(t), canary(t)
	t1, t2 := token(), token()
	mustCreate(t, s, name, store.CreateInput{Value: v1, Token: t1})
	ref := mustPut(t, s, name, v2, store.PutOptions{Token: t2, Stages: []string{store.StagePending}})
	if ref.VersionID != t2 || !slices.Equal(ref.Stages, []string{store.StagePending}) {
		t.Errorf("Put ref = %+v; want version %q with exactly [AWSPENDING]", ref, t2)
	}
	cur := mustGet(t, s, name, store.GetOptions{})
	sameValue(t, "AWSCURRENT after a pending Put", cur.Value, v1)
	if cur.VersionID != t1 {
		t.Errorf("AWSCURRENT moved to %q", cur.VersionID)
	}
	pend := mustGet(t, s, name, store.GetOptions{Stage: store.StagePending})
	sameValue(t, "Get AWSPENDING", pend.Value, v2)
	m := mustDescribe(t, s, name)
	if m.VersionWith(store.StagePrevious) != "" {
		t.Errorf("a pending Put set AWSPREVIOUS: %v", m.Versions)
	}
	// A second pending Put takes the label from the first pending version.
	t3 := token()
	mustPut(t, s, name, canary(t), store.PutOptions{Token: t3, Stages: []string{store.StagePending}})
	m = mustDescribe(t, s, name)
	if m.VersionWith(store.StagePending) != t3 || m.CurrentVersion() != t1 {
		t.Errorf("after a second pending Put, versions = %v", m.Versions)
	}
}

func testTokenIdempotency(t *testing.T, s store.Store) {
	name := uniqueName(t, "token")
	v1, v2, other := canary(t), canary(t), canary(t)
	t1, t2 := token(), token()
	mustCreate(t, s, name, store.CreateInput{Value: v1, Token: t1})
	mustPut(t, s, name, v2, store.PutOptions{Token: t2})

	ref, err := s.Put(ctx(t), name, v2, store.PutOptions{Token: t2})
	if err != nil {
		t.Fatalf("Put repeated with the same token and data: %v", err)
	}
	if ref.VersionID != t2 {
		t.Errorf("repeated Put returned version %q, want %q", ref.VersionID, t2)
	}
	m := mustDescribe(t, s, name)
	if len(m.Versions) != 2 || m.CurrentVersion() != t2 || m.VersionWith(store.StagePrevious) != t1 {
		t.Errorf("a repeated Put changed versions: %v", m.Versions)
	}

	_, err = s.Put(ctx(t), name, other, store.PutOptions{Token: t2})
	wantErr(t, "Put with a used token and different data", err, store.ErrExists)
	assertNoLeak(t, other, errText(err))
	assertNoLeak(t, v2, errText(err))
	sameValue(t, "value after a refused Put", mustGet(t, s, name, store.GetOptions{}).Value, v2)

	// The first version's token, with its own data, is also a no-op.
	if _, err := s.Put(ctx(t), name, v1, store.PutOptions{Token: t1}); err != nil {
		t.Errorf("Put repeating the first version: %v", err)
	}
	if cur := mustGet(t, s, name, store.GetOptions{}); cur.VersionID != t2 {
		t.Errorf("repeating an old version moved AWSCURRENT to %q", cur.VersionID)
	}
}

func testCreateWithoutValue(t *testing.T, s store.Store) {
	name := uniqueName(t, "novalue")
	ref := mustCreate(t, s, name, store.CreateInput{Description: "empty"})
	if ref.VersionID != "" {
		t.Errorf("Create without a value returned version %q", ref.VersionID)
	}
	_, err := s.Get(ctx(t), name, store.GetOptions{})
	wantErr(t, "Get of a secret with no value", err, store.ErrNotFound)
	if m := mustDescribe(t, s, name); len(m.Versions) != 0 {
		t.Errorf("a secret created without a value has versions %v", m.Versions)
	}
	v := canary(t)
	tok := token()
	mustPut(t, s, name, v, store.PutOptions{Token: tok})
	got := mustGet(t, s, name, store.GetOptions{})
	sameValue(t, "Get after the first Put", got.Value, v)
	if got.VersionID != tok {
		t.Errorf("the first Put made version %q current, want %q", got.VersionID, tok)
	}
	if m := mustDescribe(t, s, name); m.VersionWith(store.StagePrevious) != "" {
		t.Errorf("the first version set AWSPREVIOUS: %v", m.Versions)
	}
}

func testCreateExisting(t *testing.T, s store.Store) {
	name := uniqueName(t, "dup")
	v := canary(t)
	mustCreate(t, s, name, store.CreateInput{Value: v})
	other := canary(t)
	_, err := s.Create(ctx(t), name, store.CreateInput{Value: other})
	wantErr(t, "Create of an existing name", err, store.ErrExists)
	assertNoLeak(t, other, errText(err))
	sameValue(t, "value after a refused Create", mustGet(t, s, name, store.GetOptions{}).Value, v)
}

func testUpdateStageCurrent(t *testing.T, s store.Store) {
	name := uniqueName(t, "stage")
	v1, v2 := canary(t), canary(t)
	t1, t2 := token(), token()
	mustCreate(t, s, name, store.CreateInput{Value: v1, Token: t1})
	mustPut(t, s, name, v2, store.PutOptions{Token: t2})

	_, err := s.UpdateStage(ctx(t), name, store.StageMove{Stage: store.StageCurrent, MoveTo: t1})
	wantErr(t, "moving AWSCURRENT without RemoveFrom", err, store.ErrInvalidParameter)
	_, err = s.UpdateStage(ctx(t), name, store.StageMove{Stage: store.StageCurrent, MoveTo: t1, RemoveFrom: t1})
	wantErr(t, "moving AWSCURRENT with the wrong RemoveFrom", err, store.ErrInvalidParameter)
	if m := mustDescribe(t, s, name); m.CurrentVersion() != t2 {
		t.Fatalf("a refused UpdateStage moved AWSCURRENT: %v", m.Versions)
	}

	ref, err := s.UpdateStage(ctx(t), name, store.StageMove{Stage: store.StageCurrent, MoveTo: t1, RemoveFrom: t2})
	if err != nil {
		t.Fatalf("UpdateStage AWSCURRENT %s -> %s: %v", t2, t1, err)
	}
	if ref.Name != name || ref.ARN == "" {
		t.Errorf("UpdateStage ref = %+v", ref)
	}
	cur := mustGet(t, s, name, store.GetOptions{})
	sameValue(t, "AWSCURRENT after the move", cur.Value, v1)
	m := mustDescribe(t, s, name)
	if m.CurrentVersion() != t1 || m.VersionWith(store.StagePrevious) != t2 {
		t.Errorf("after moving AWSCURRENT back, versions = %v; want AWSCURRENT on %s and AWSPREVIOUS on %s", m.Versions, t1, t2)
	}

	_, err = s.UpdateStage(ctx(t), name, store.StageMove{Stage: store.StageCurrent, MoveTo: token(), RemoveFrom: t1})
	wantErr(t, "moving AWSCURRENT to an unknown version", err, store.ErrNotFound)
}

func testUpdateStageCustom(t *testing.T, s store.Store) {
	name := uniqueName(t, "custom")
	t1, t2 := token(), token()
	mustCreate(t, s, name, store.CreateInput{Value: canary(t), Token: t1})
	mustPut(t, s, name, canary(t), store.PutOptions{Token: t2})

	if _, err := s.UpdateStage(ctx(t), name, store.StageMove{Stage: "blue", MoveTo: t1}); err != nil {
		t.Fatalf("adding a custom label: %v", err)
	}
	m := mustDescribe(t, s, name)
	if m.VersionWith("blue") != t1 || m.VersionWith(store.StagePrevious) != t1 || m.CurrentVersion() != t2 {
		t.Errorf("after adding blue to %s, versions = %v (labels are added, AWSPREVIOUS untouched)", t1, m.Versions)
	}
	_, err := s.UpdateStage(ctx(t), name, store.StageMove{Stage: "blue", MoveTo: t2})
	wantErr(t, "moving a custom label without RemoveFrom", err, store.ErrInvalidParameter)
	if _, err := s.UpdateStage(ctx(t), name, store.StageMove{Stage: "blue", MoveTo: t2, RemoveFrom: t1}); err != nil {
		t.Fatalf("moving a custom label: %v", err)
	}
	m = mustDescribe(t, s, name)
	if m.VersionWith("blue") != t2 || m.VersionWith(store.StagePrevious) != t1 {
		t.Errorf("moving a custom label touched AWSPREVIOUS or missed: %v", m.Versions)
	}
	if _, err := s.UpdateStage(ctx(t), name, store.StageMove{Stage: "blue", RemoveFrom: t2}); err != nil {
		t.Fatalf("removing a custom label: %v", err)
	}
	if m = mustDescribe(t, s, name); m.VersionWith("blue") != "" {
		t.Errorf("label still attached after removal: %v", m.Versions)
	}
	_, err = s.Get(ctx(t), name, store.GetOptions{Stage: "blue"})
	wantErr(t, "Get of a removed label", err, store.ErrNotFound)
}

func testVersions(t *testing.T, s store.Store) {
	name := uniqueName(t, "versions")
	t1, t2, t3 := token(), token(), token()
	v := canary(t)
	mustCreate(t, s, name, store.CreateInput{Value: v, Token: t1})
	mustPut(t, s, name, canary(t), store.PutOptions{Token: t2})
	mustPut(t, s, name, canary(t), store.PutOptions{Token: t3})

	vs, err := s.Versions(ctx(t), name, false)
	if err != nil {
		t.Fatalf("Versions: %v", err)
	}
	ids := versionIDs(vs)
	slices.Sort(ids)
	want := []string{t2, t3}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("Versions without deprecated = %v, want %v", ids, want)
	}
	for _, ver := range vs {
		if ver.CreatedDate.IsZero() {
			t.Errorf("version %s has no CreatedDate", ver.VersionID)
		}
		if ver.VersionID == t3 && !hasStage(ver.Stages, store.StageCurrent) {
			t.Errorf("version %s stages %v lack AWSCURRENT", t3, ver.Stages)
		}
	}
	all, err := s.Versions(ctx(t), name, true)
	if err != nil {
		t.Fatalf("Versions with deprecated: %v", err)
	}
	if len(all) != 3 {
		t.Errorf("Versions with deprecated = %v, want 3", versionIDs(all))
	}
	for _, ver := range all {
		if ver.VersionID == t1 && len(ver.Stages) != 0 {
			t.Errorf("deprecated version %s has stages %v", t1, ver.Stages)
		}
	}
	_, err = s.Versions(ctx(t), uniqueName(t, "missing"), false)
	wantErr(t, "Versions of a missing secret", err, store.ErrNotFound)
}

func versionIDs(vs []store.Version) []string {
	ids := make([]string, 0, len(vs))
	for _, v := range vs {
		ids = append(ids, v.VersionID)
	}
	return ids
}

func testUpdateDescription(t *testing.T, s store.Store) {
	name := uniqueName(t, "update")
	v := canary(t)
	mustCreate(t, s, name, store.CreateInput{Value: v, Description: "before"})
	ref, err := s.Update(ctx(t), name, store.UpdateInput{Description: new("after")})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if ref.Name != name || ref.VersionID != "" {
		t.Errorf("Update ref = %+v; want the name and no version", ref)
	}
	m := mustDescribe(t, s, name)
	if m.Description != "after" {
		t.Errorf("Description = %q, want %q", m.Description, "after")
	}
	if m.LastChangedDate == nil {
		t.Error("LastChangedDate not set after Update")
	}
	if _, err := s.Update(ctx(t), name, store.UpdateInput{}); err != nil {
		t.Errorf("an empty Update: %v", err)
	}
	if m := mustDescribe(t, s, name); m.Description != "after" {
		t.Errorf("an empty Update changed Description to %q", m.Description)
	}
	_, err = s.Update(ctx(t), name, store.UpdateInput{Description: new(strings.Repeat("d", store.MaxDescriptionLen+1))})
	wantErr(t, "Update with an oversize description", err, store.ErrInvalidParameter)
	sameValue(t, "value after Update", mustGet(t, s, name, store.GetOptions{}).Value, v)
}

func testList(t *testing.T, s store.Store) {
	prefix := uniqueName(t, "")
	a, b, c := prefix+"app/a", prefix+"app/b", prefix+"other/c"
	mustCreate(t, s, a, store.CreateInput{Value: canary(t), Tags: map[string]string{"env": "prod", "team": "x"}})
	mustCreate(t, s, b, store.CreateInput{Value: canary(t), Tags: map[string]string{"env": "dev"}})
	mustCreate(t, s, c, store.CreateInput{Tags: map[string]string{"env": "prod"}})

	names := func(o store.ListOptions) []string {
		t.Helper()
		ms, err := s.List(ctx(t), o)
		if err != nil {
			t.Fatalf("List(%+v): %v", o, err)
		}
		out := make([]string, 0, len(ms))
		for _, m := range ms {
			if m.ARN == "" || m.CreatedDate.IsZero() {
				t.Errorf("List entry %q lacks ARN or CreatedDate", m.Name)
			}
			out = append(out, m.Name)
		}
		slices.Sort(out)
		return out
	}
	if got, want := names(store.ListOptions{Prefix: prefix}), []string{a, b, c}; !slices.Equal(got, want) {
		t.Errorf("List prefix = %v, want %v", got, want)
	}
	if got, want := names(store.ListOptions{Prefix: prefix + "app/"}), []string{a, b}; !slices.Equal(got, want) {
		t.Errorf("List prefix app/ = %v, want %v", got, want)
	}
	if got := names(store.ListOptions{Prefix: strings.ToUpper(prefix)}); len(got) != 0 && strings.ToUpper(prefix) != prefix {
		t.Errorf("List prefix is not case-sensitive: %v", got)
	}
	if got, want := names(store.ListOptions{Prefix: prefix, Tags: map[string]string{"env": "prod"}}), []string{a, c}; !slices.Equal(got, want) {
		t.Errorf("List env=prod = %v, want %v", got, want)
	}
	if got, want := names(store.ListOptions{Prefix: prefix, Tags: map[string]string{"env": "prod", "team": "x"}}), []string{a}; !slices.Equal(got, want) {
		t.Errorf("List env=prod,team=x = %v, want %v", got, want)
	}
}

func testDescribe(t *testing.T, s store.Store) {
	name := uniqueName(t, "describe")
	v := canary(t)
	t1, t2 := token(), token()
	ref := mustCreate(t, s, name, store.CreateInput{Value: v, Token: t1, Description: "described", Tags: map[string]string{"k": "v"}})
	mustPut(t, s, name, canary(t), store.PutOptions{Token: t2})
	m := mustDescribe(t, s, name)
	if m.ARN != ref.ARN || m.Name != name || m.Description != "described" || m.Tags["k"] != "v" || m.CreatedDate.IsZero() {
		t.Errorf("Describe = %+v", m)
	}
	if m.DeletedDate != nil {
		t.Errorf("DeletedDate set on a live secret: %v", m.DeletedDate)
	}
	if !slices.Equal(m.Versions[t2], []string{store.StageCurrent}) || !slices.Equal(m.Versions[t1], []string{store.StagePrevious}) {
		t.Errorf("Versions = %v", m.Versions)
	}
}

func testDeleteRecovery(t *testing.T, s store.Store) {
	name := uniqueName(t, "delete")
	v := canary(t)
	t1 := token()
	mustCreate(t, s, name, store.CreateInput{Value: v, Token: t1, Tags: map[string]string{"k": "v"}})
	before := time.Now()
	ref, when, err := s.Delete(ctx(t), name, store.DeleteOptions{RecoveryDays: 7})
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if ref.Name != name || ref.ARN == "" {
		t.Errorf("Delete ref = %+v", ref)
	}
	if when.Before(before.Add(6*24*time.Hour)) || when.After(before.Add(8*24*time.Hour)) {
		t.Errorf("deletion date %v is not about 7 days after %v", when, before)
	}

	_, err = s.Get(ctx(t), name, store.GetOptions{})
	wantErr(t, "Get while pending deletion", err, store.ErrMarkedForDeletion)
	_, err = s.Put(ctx(t), name, canary(t), store.PutOptions{})
	wantErr(t, "Put while pending deletion", err, store.ErrMarkedForDeletion)
	_, err = s.Update(ctx(t), name, store.UpdateInput{Description: new("x")})
	wantErr(t, "Update while pending deletion", err, store.ErrMarkedForDeletion)
	_, _, err = s.Delete(ctx(t), name, store.DeleteOptions{RecoveryDays: 7})
	wantErr(t, "a second Delete while pending deletion", err, store.ErrMarkedForDeletion)
	_, err = s.Create(ctx(t), name, store.CreateInput{Value: canary(t)})
	wantErr(t, "Create of a name pending deletion", err, store.ErrMarkedForDeletion)

	m := mustDescribe(t, s, name)
	if m.DeletedDate == nil {
		t.Error("Describe of a secret pending deletion has no DeletedDate")
	}

	ms, err := s.List(ctx(t), store.ListOptions{Prefix: name})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(ms) != 0 {
		t.Errorf("List shows a secret pending deletion: %d entries", len(ms))
	}
	ms, err = s.List(ctx(t), store.ListOptions{Prefix: name, IncludeDeleted: true})
	if err != nil {
		t.Fatalf("List IncludeDeleted: %v", err)
	}
	if len(ms) != 1 || ms[0].DeletedDate == nil {
		t.Errorf("List IncludeDeleted = %+v; want the secret with a DeletedDate", ms)
	}
}

func testUpdateStageDeleted(t *testing.T, s store.Store) {
	name := uniqueName(t, "stagedel")
	t1 := token()
	mustCreate(t, s, name, store.CreateInput{Value: canary(t), Token: t1})
	if _, _, err := s.Delete(ctx(t), name, store.DeleteOptions{RecoveryDays: 7}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err := s.UpdateStage(ctx(t), name, store.StageMove{Stage: "blue", MoveTo: t1})
	wantErr(t, "UpdateStage while pending deletion", err, store.ErrMarkedForDeletion)
}

func testRestore(t *testing.T, s store.Store) {
	name := uniqueName(t, "restore")
	v := canary(t)
	mustCreate(t, s, name, store.CreateInput{Value: v})
	if _, _, err := s.Delete(ctx(t), name, store.DeleteOptions{}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	ref, err := s.Restore(ctx(t), name)
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if ref.Name != name || ref.ARN == "" {
		t.Errorf("Restore ref = %+v", ref)
	}
	sameValue(t, "Get after Restore", mustGet(t, s, name, store.GetOptions{}).Value, v)
	if m := mustDescribe(t, s, name); m.DeletedDate != nil {
		t.Errorf("DeletedDate still set after Restore: %v", m.DeletedDate)
	}
	// Restoring a live secret is harmless.
	if _, err := s.Restore(ctx(t), name); err != nil {
		t.Errorf("Restore of a live secret: %v", err)
	}
	_, err = s.Restore(ctx(t), uniqueName(t, "missing"))
	wantErr(t, "Restore of a missing secret", err, store.ErrNotFound)
}

func testDeleteForce(t *testing.T, s store.Store) {
	name := uniqueName(t, "force")
	v := canary(t)
	ref := mustCreate(t, s, name, store.CreateInput{Value: v})
	_, _, err := s.Delete(ctx(t), name, store.DeleteOptions{Force: true, RecoveryDays: 7})
	wantErr(t, "Delete with both Force and RecoveryDays", err, store.ErrInvalidParameter)
	if _, _, err := s.Delete(ctx(t), name, store.DeleteOptions{Force: true}); err != nil {
		t.Fatalf("Delete Force: %v", err)
	}
	_, err = s.Get(ctx(t), name, store.GetOptions{})
	wantErr(t, "Get after a forced Delete", err, store.ErrNotFound)
	_, err = s.Describe(ctx(t), ref.ARN)
	wantErr(t, "Describe after a forced Delete", err, store.ErrNotFound)

	// A pending secret may still be force-deleted.
	other := uniqueName(t, "force2")
	mustCreate(t, s, other, store.CreateInput{Value: canary(t)})
	if _, _, err := s.Delete(ctx(t), other, store.DeleteOptions{RecoveryDays: 30}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, _, err := s.Delete(ctx(t), other, store.DeleteOptions{Force: true}); err != nil {
		t.Fatalf("Force Delete of a pending secret: %v", err)
	}
	_, err = s.Describe(ctx(t), other)
	wantErr(t, "Describe after force-deleting a pending secret", err, store.ErrNotFound)
}

func testInvalid(t *testing.T, s store.Store) {
	v := canary(t)
	for _, bad := range []string{"", "has space", "semi;colon", strings.Repeat("n", store.MaxNameLen+1)} {
		_, err := s.Create(ctx(t), bad, store.CreateInput{Value: v})
		wantErr(t, "Create with name "+trunc(bad), err, store.ErrInvalidParameter)
		assertNoLeak(t, v, errText(err))
	}
	name := uniqueName(t, "invalid")
	big := secret.New(v.RevealString() + strings.Repeat("x", store.MaxValueLen))
	_, err := s.Create(ctx(t), name, store.CreateInput{Value: big})
	wantErr(t, "Create with an oversize value", err, store.ErrInvalidParameter)
	assertNoLeak(t, v, errText(err))
	if _, err := s.Describe(ctx(t), name); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused Create left a secret behind: %v", err)
	}

	mustCreate(t, s, name, store.CreateInput{Value: v})
	_, err = s.Put(ctx(t), name, big, store.PutOptions{})
	wantErr(t, "Put of an oversize value", err, store.ErrInvalidParameter)
	assertNoLeak(t, v, errText(err))
	_, err = s.Put(ctx(t), name, secret.Value{}, store.PutOptions{})
	wantErr(t, "Put of an empty value", err, store.ErrInvalidParameter)
	_, err = s.Put(ctx(t), name, canary(t), store.PutOptions{Token: "short"})
	wantErr(t, "Put with a 5-character token", err, store.ErrInvalidParameter)
	_, err = s.Create(ctx(t), uniqueName(t, "badtoken"), store.CreateInput{Value: canary(t), Token: strings.Repeat("t", store.MaxTokenLen+1)})
	wantErr(t, "Create with a 65-character token", err, store.ErrInvalidParameter)

	for _, days := range []int{-1, 6, 31} {
		_, _, err := s.Delete(ctx(t), name, store.DeleteOptions{RecoveryDays: days})
		wantErr(t, "Delete with a recovery window out of 7..30", err, store.ErrInvalidParameter)
	}
	sameValue(t, "value after refused calls", mustGet(t, s, name, store.GetOptions{}).Value, v)
}

func trunc(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

func testTags(t *testing.T, s store.Store) {
	name := uniqueName(t, "tags")
	mustCreate(t, s, name, store.CreateInput{Value: canary(t), Tags: map[string]string{"a": "1", "b": "2"}})
	if err := s.Tag(ctx(t), name, map[string]string{"b": "20", "c": "3"}); err != nil {
		t.Fatalf("Tag: %v", err)
	}
	want := map[string]string{"a": "1", "b": "20", "c": "3"}
	if m := mustDescribe(t, s, name); !equalMaps(m.Tags, want) {
		t.Errorf("tags after Tag = %v, want %v", m.Tags, want)
	}
	if err := s.Untag(ctx(t), name, []string{"a", "absent"}); err != nil {
		t.Fatalf("Untag with an absent key: %v", err)
	}
	want = map[string]string{"b": "20", "c": "3"}
	if m := mustDescribe(t, s, name); !equalMaps(m.Tags, want) {
		t.Errorf("tags after Untag = %v, want %v", m.Tags, want)
	}
	ms, err := s.List(ctx(t), store.ListOptions{Prefix: name, Tags: map[string]string{"c": "3"}})
	if err != nil || len(ms) != 1 {
		t.Errorf("List by a tag added later = %d entries, %v", len(ms), err)
	}
	err = s.Tag(ctx(t), uniqueName(t, "missing"), map[string]string{"a": "1"})
	wantErr(t, "Tag of a missing secret", err, store.ErrNotFound)

	tooMany := map[string]string{}
	for i := range store.MaxTags + 1 {
		tooMany["k"+strings.Repeat("x", i)] = "v"
	}
	err = s.Tag(ctx(t), name, tooMany)
	if !errors.Is(err, store.ErrInvalidParameter) && !errors.Is(err, store.ErrLimitExceeded) {
		t.Errorf("Tag beyond %d tags: got %v, want ErrInvalidParameter or ErrLimitExceeded", store.MaxTags, err)
	}

	if _, _, err := s.Delete(ctx(t), name, store.DeleteOptions{RecoveryDays: 7}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	err = s.Tag(ctx(t), name, map[string]string{"d": "4"})
	wantErr(t, "Tag while pending deletion", err, store.ErrMarkedForDeletion)
	err = s.Untag(ctx(t), name, []string{"b"})
	wantErr(t, "Untag while pending deletion", err, store.ErrMarkedForDeletion)
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
