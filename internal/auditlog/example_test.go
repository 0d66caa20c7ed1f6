package auditlog_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/local"
)

// Example shows what `secretctl audit` does with a local store: read the
// records, then verify the file against the head kept in the database.
func Example() {
	home, _ := os.MkdirTemp("", "auditlog-example")
	defer os.RemoveAll(home)
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 3, 14, 11, 20, 3, 0, time.UTC) }
	s, err := local.Open(ctx, local.Options{Home: home, Now: now, Actor: local.Actor{UserName: "alice", PrincipalID: "1001", UserAgent: "secretctl/1.0.0"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	s.Create(ctx, "prod/db", store.CreateInput{Value: secret.New("example-value")})
	s.Get(ctx, "prod/db", store.GetOptions{})
	s.Get(ctx, "prod/other", store.GetOptions{})
	s.Close()

	f, _ := os.Open(home + "/" + local.AuditFile)
	defer f.Close()
	auditlog.Read(f, func(r auditlog.Record) error {
		line := fmt.Sprintf("%d %s %s %s %s %s", r.Seq, r.EventTime.Format(time.RFC3339), r.UserIdentity.UserName, r.EventName, r.SecretID(), r.ErrorCode)
		fmt.Println(strings.TrimRight(line, " "))
		return nil
	})

	res, err := local.VerifyAudit(ctx, local.Options{Home: home})
	fmt.Println("intact:", err == nil && res.OK(), "records:", res.Records)
	// Output:
	// 1 2026-03-14T11:20:03Z alice CreateSecret
	// 2 2026-03-14T11:20:03Z alice GetSecretValue prod/db
	// 3 2026-03-14T11:20:03Z alice GetSecretValue prod/other ResourceNotFoundException
	// intact: true records: 3
}
