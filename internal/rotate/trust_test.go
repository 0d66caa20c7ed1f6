package rotate

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/secretctl/secretctl/internal/store"
)

// TestTrustServerStillSetsPassword: on a server that lets any password in
// (the system cluster trusts TCP logins), the "AWSPENDING already logs in"
// guard must not skip setSecret, or the database would keep the old password.
func TestTrustServerStillSetsPassword(t *testing.T) {
	ctx := ctxT(t)
	admin, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable")
	needService(t, "PostgreSQL on 127.0.0.1:5432 (user postgres, trust)", err)
	t.Cleanup(func() { admin.Close(context.Background()) })
	role, pw := uniq("trust_"), canary(t)
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", role, pw)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), "DROP ROLE IF EXISTS "+role) })
	verifier := func() string {
		var v string
		if err := admin.QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", role).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := verifier()
	s := openLocal(t, "")
	mustCreateValue(t, s, "trust/db", dbJSON("postgres", "127.0.0.1", 5432, role, pw, "postgres", ""))
	configure(t, s, "trust/db", Config{Rotator: RotatorPostgres})
	var progress syncBuf
	if _, err := (&Engine{Store: s, Progress: &progress}).Rotate(ctx, "trust/db"); err != nil {
		t.Fatal(err)
	}
	if verifier() == before {
		t.Fatalf("the role's password did not change on a trust server:\n%s", progress.String())
	}
	cur := mustStage(t, s, "trust/db", store.StageCurrent)
	d, _ := ParseDBSecret(cur.Value, 5432, "postgres")
	assertNoLeak(t, []string{pw, d.Password}, progress.String())
}
