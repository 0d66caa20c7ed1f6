package local

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// call is one operation as the audit log sees it. The operation fills in
// arn and resp as it learns them.
type call struct {
	event    string
	readOnly bool
	params   map[string]any
	arn      string
	resp     map[string]any
	caller   *store.Caller // who called through a server (store.WithCaller)
}

// txn is one operation's transaction.
type txn struct {
	ctx    context.Context
	tx     *sql.Tx
	now    time.Time
	s      *Store
	digest []byte // the record-set digest, kept in step with every row written or removed
	// digestOK: the stored digest matched its MAC and the chain head when the
	// transaction began. When it did not, its MAC is left as it is, so the
	// mismatch is not laundered by the next operation.
	digestOK bool
}

// run executes fn inside one BEGIN IMMEDIATE transaction and appends the
// audit record of c in it. fn's own writes are undone when it fails; the
// audit record is committed either way. It returns fn's error. Every
// operation needs the key first, since records are authenticated and the
// chain is keyed: when it cannot be unlocked nothing is read or written,
// and no record can be appended.
func (s *Store) run(ctx context.Context, c *call, fn func(t *txn) error) error {
	opErrs, err := s.runEach(ctx, []*call{c}, func(_ int, t *txn) error { return fn(t) })
	if err != nil {
		return errors.Join(opErrs[0], err)
	}
	return opErrs[0]
}

// runEach executes fn once per call inside one BEGIN IMMEDIATE transaction,
// each in its own savepoint and with its own audit record, as run does for
// one. It returns each call's error, and an error that failed the whole
// transaction (then nothing but the records of calls before it is lost:
// the transaction rolls back).
func (s *Store) runEach(ctx context.Context, calls []*call, fn func(i int, t *txn) error) (opErrs []error, err error) {
	opErrs = make([]error, len(calls))
	defer func() { err = checked(context.WithoutCancel(ctx), s.db, s.dbPath, err) }()
	if cl, ok := store.CallerFrom(ctx); ok {
		for _, c := range calls {
			c.caller = &cl
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return opErrs, errors.New("local store: closed")
	}
	if err := s.ready(ctx); err != nil {
		return opErrs, err
	}
	// Once the lock is taken the operation and its record complete together.
	ctx = context.WithoutCancel(ctx)
	now := s.opts.Now().UTC()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return opErrs, fmt.Errorf("lock local store: %w", err)
	}
	defer tx.Rollback()
	t := &txn{ctx: ctx, tx: tx, now: now, s: s}
	if err := t.loadDigest(); err != nil {
		return opErrs, err
	}
	if err := t.purge(); err != nil {
		return opErrs, err
	}
	recs := make([]auditlog.Record, len(calls))
	for i, c := range calls {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT op`); err != nil {
			return opErrs, fmt.Errorf("local store: %w", err)
		}
		digest := slices.Clone(t.digest)
		opErr := checked(ctx, tx, s.dbPath, fn(i, t))
		opErrs[i] = opErr
		if errors.Is(opErr, ErrDamaged) {
			// Write nothing into a damaged store, not even the audit record.
			return opErrs, nil
		}
		if opErr != nil {
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO op`); err != nil {
				return opErrs, fmt.Errorf("roll back failed operation: %w", err)
			}
			t.digest = digest
		}
		if _, err := tx.ExecContext(ctx, `RELEASE op`); err != nil {
			return opErrs, fmt.Errorf("local store: %w", err)
		}
		recs[i] = s.auditRecord(c, now, opErr)
	}
	// The calls' records go to the log with one write and one sync, and
	// their head is committed with the calls.
	head, err := readHead(ctx, tx)
	if err != nil {
		return opErrs, err
	}
	_, next, err := auditlog.AppendAll(s.log, head, recs, s.chain)
	if err != nil {
		return opErrs, fmt.Errorf("append audit record: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = ?, hash = ?, offset = ? WHERE id = 1`, next.Seq, next.Hash, next.Offset); err != nil {
		return opErrs, fmt.Errorf("update audit head: %w", err)
	}
	head, err = readHead(ctx, tx)
	if err != nil {
		return opErrs, err
	}
	if err := t.storeDigest(head); err != nil {
		return opErrs, err
	}
	if err := tx.Commit(); err != nil {
		return opErrs, fmt.Errorf("commit: %w", err)
	}
	return opErrs, nil
}

func (s *Store) auditRecord(c *call, now time.Time, opErr error) auditlog.Record {
	a := s.opts.Actor
	src := a.Host
	if src == "" {
		src = "local"
	}
	id := auditlog.UserIdentity{Type: auditlog.IdentityType, UserName: a.UserName, PrincipalID: a.PrincipalID, Host: a.Host}
	ua := a.UserAgent
	// A call through `secretctl serve` names the client that signed it.
	if cl := c.caller; cl != nil {
		id = auditlog.UserIdentity{Type: auditlog.IdentityTypeKey, UserName: cl.AccessKeyID, PrincipalID: cl.AccessKeyID, AccessKeyID: cl.AccessKeyID}
		src, ua = cl.SourceIP, cl.UserAgent
	}
	rec := auditlog.Record{
		EventVersion: auditlog.EventVersion, EventTime: now, EventSource: auditlog.EventSource,
		EventName: c.event, EventType: auditlog.EventType,
		UserIdentity:    id,
		SourceIPAddress: src, UserAgent: ua,
		RequestParameters: c.params, ReadOnly: c.readOnly, EventID: uuid.NewString(),
	}
	if opErr != nil {
		rec.ErrorCode, rec.ErrorMessage = ErrorCode(opErr), opErr.Error()
	} else if !c.readOnly {
		rec.ResponseElements = c.resp
	}
	if c.arn != "" {
		rec.Resources = []auditlog.Resource{{ARN: c.arn, Type: auditlog.ResourceType}}
	}
	return rec
}

// ErrorCode is the Secrets Manager error code the audit log records for a
// failed operation: the code awsx's table gives, or InternalServiceError
// for a failure of the store itself.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if c := awsx.Code(err); c != "" {
		return c
	}
	return "InternalServiceError"
}

// purge removes the secrets whose recovery window has passed. Only a
// record that verifies is purged: a deletion date set by hand on the row
// removes nothing (the record fails its check when it is read).
func (t *txn) purge() error {
	rows, err := t.tx.QueryContext(t.ctx, selectRow+` WHERE deleted_at IS NOT NULL AND deleted_at <= ?`, t.now.UnixNano())
	if err != nil {
		return fmt.Errorf("purge deleted secrets: %w", err)
	}
	var due []string
	for rows.Next() {
		w, err := scanRow(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("purge deleted secrets: %w", err)
		}
		if r, err := w.open(t.s.keys.record); err == nil && r.Deleted != nil && !r.Deleted.After(t.now) {
			due = append(due, w.arn)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("purge deleted secrets: %w", err)
	}
	for _, arn := range due {
		if err := t.remove(arn); err != nil {
			return fmt.Errorf("purge deleted secrets: %w", err)
		}
	}
	return nil
}

// scan reads rows of selectRow, each checked against its MAC: a record that
// fails is an error naming its secret and is never used.
func (t *txn) scan(rows *sql.Rows) ([]*record, error) {
	defer rows.Close()
	var out []*record
	for rows.Next() {
		w, err := scanRow(rows)
		if err != nil {
			return nil, fmt.Errorf("read secret: %w", err)
		}
		r, err := w.open(t.s.keys.record)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read secrets: %w", err)
	}
	return out, nil
}

// query runs selectRow with a WHERE clause (and its order) and checks
// every record it returns.
func (t *txn) query(where string, args ...any) ([]*record, error) {
	rows, err := t.tx.QueryContext(t.ctx, selectRow+" "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read secrets: %w", err)
	}
	return t.scan(rows)
}

// byName returns the secret with that exact name, or nil.
func (t *txn) byName(name string) (*record, error) {
	rs, err := t.query(`WHERE name = ?`, name)
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	return rs[0], nil
}

// resolve finds a secret by id in the order docs/semantics.md gives ("Names
// and ARNs"): full ARN, name, then a partial ARN matching exactly one secret.
func (t *txn) resolve(id string) (*record, error) {
	rs, err := t.query(`WHERE arn = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		if rs, err = t.query(`WHERE name = ?`, id); err != nil {
			return nil, err
		}
	}
	if len(rs) == 0 {
		if prefix, ok := partialARN(id); ok {
			if rs, err = t.query(`WHERE substr(arn, 1, ?) = ? AND length(arn) = ?`, len(prefix), prefix, len(prefix)+6); err != nil {
				return nil, err
			}
			if len(rs) > 1 {
				rs = nil
			}
		}
	}
	if len(rs) == 0 {
		return nil, store.ErrNotFound
	}
	return rs[0], nil
}

func (t *txn) save(r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode secret record: %w", err)
	}
	del := deletedColumn(r)
	mac := recordMAC(t.s.keys.record, r.ARN, r.Name, del, b)
	if err := t.unlink(r.ARN); err != nil {
		return fmt.Errorf("save secret: %w", err)
	}
	xorInto(t.digest, rowTerm(t.s.keys.meta, r.ARN, mac))
	if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO secrets (arn, name, deleted_at, record, mac) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (arn) DO UPDATE SET name = excluded.name, deleted_at = excluded.deleted_at, record = excluded.record, mac = excluded.mac`,
		r.ARN, r.Name, del, b, mac); err != nil {
		return fmt.Errorf("save secret: %w", err)
	}
	return nil
}

func (t *txn) remove(arn string) error {
	if err := t.unlink(arn); err != nil {
		return fmt.Errorf("delete secret: %w", err)
	}
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM secrets WHERE arn = ?`, arn); err != nil {
		return fmt.Errorf("delete secret: %w", err)
	}
	return nil
}

func (t *txn) loadDigest() error {
	head, err := readHead(t.ctx, t.tx)
	if err != nil {
		return err
	}
	var mac []byte
	if t.digest, mac, err = readDigest(t.ctx, t.tx); err != nil {
		return err
	}
	t.digestOK = hmac.Equal(mac, digestMAC(t.s.keys.meta, t.digest, head))
	return nil
}

func (t *txn) storeDigest(head auditlog.Head) error {
	if t.digestOK {
		return writeDigest(t.ctx, t.tx, t.s.keys.meta, t.digest, head)
	}
	if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO store_settings (k, v) VALUES ('rows_digest', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, hex.EncodeToString(t.digest)); err != nil {
		return fmt.Errorf("write record-set digest: %w", err)
	}
	return nil
}

// unlink takes the row of arn, as it stands, out of the record-set digest.
func (t *txn) unlink(arn string) error {
	var mac []byte
	err := t.tx.QueryRowContext(t.ctx, `SELECT mac FROM secrets WHERE arn = ?`, arn).Scan(&mac)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	xorInto(t.digest, rowTerm(t.s.keys.meta, arn, mac))
	return nil
}

// load resolves id for an operation and records its ARN in the call.
func (t *txn) load(c *call, id string) (*record, error) {
	r, err := t.resolve(id)
	if err != nil {
		return nil, err
	}
	c.arn = r.ARN
	return r, nil
}

func refElements(ref store.Ref) map[string]any {
	m := map[string]any{"arn": ref.ARN, "name": ref.Name}
	if ref.VersionID != "" {
		m["versionId"] = ref.VersionID
	}
	if len(ref.Stages) > 0 {
		m["versionStages"] = ref.Stages
	}
	return m
}

func tagList(tags map[string]string) []map[string]string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]map[string]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, map[string]string{"key": k, "value": tags[k]})
	}
	return out
}

// Create is CreateSecret.
func (s *Store) Create(ctx context.Context, name string, in store.CreateInput) (store.Ref, error) {
	if in.Token == "" && !in.Value.IsZero() {
		in.Token = uuid.NewString()
	}
	c := &call{event: "CreateSecret", params: map[string]any{"name": name}}
	if in.Token != "" {
		c.params["clientRequestToken"] = in.Token
	}
	if in.Description != "" {
		c.params["description"] = in.Description
	}
	if in.KmsKeyID != "" {
		c.params["kmsKeyId"] = in.KmsKeyID
	}
	if len(in.Tags) > 0 {
		c.params["tags"] = tagList(in.Tags)
	}
	var ref store.Ref
	err := s.run(ctx, c, func(t *txn) error {
		existing, err := t.byName(name)
		if err != nil {
			return err
		}
		if existing != nil {
			c.arn = existing.ARN
			if existing.pendingDeletion() {
				return store.ErrMarkedForDeletion
			}
			// The same request again (same token, same value) succeeds.
			if ver := existing.version(in.Token); in.Token != "" && ver != nil && ver.Sealed != nil {
				old, err := storeCrypter{s}.open(existing.ARN, ver)
				if err != nil {
					return err
				}
				if old.Equal(in.Value) {
					ref = existing.ref()
					ref.VersionID, ref.Stages = ver.ID, slices.Clone(ver.Stages)
					c.resp = refElements(ref)
					return nil
				}
			}
			return store.ErrExists
		}
		r, rf, err := newRecord(name, in, t.now, storeCrypter{s})
		if err != nil {
			return err
		}
		c.arn = r.ARN
		if err := t.save(r); err != nil {
			return err
		}
		ref = rf
		c.resp = refElements(ref)
		return nil
	})
	if err != nil {
		return store.Ref{}, store.NewOpError("create", name, err)
	}
	return ref, nil
}

// Get is GetSecretValue. It updates LastAccessedDate (day granularity).
func (s *Store) Get(ctx context.Context, id string, o store.GetOptions) (store.Secret, error) {
	c := getCall(id, o)
	var out store.Secret
	err := s.run(ctx, c, func(t *txn) error {
		var err error
		out, err = t.get(c, id, o)
		return err
	})
	if err != nil {
		return store.Secret{}, store.NewOpError("get", id, err)
	}
	return out, nil
}

// GetBatch reads every item in one transaction, with one GetSecretValue
// audit record per item, as many Gets would.
func (s *Store) GetBatch(ctx context.Context, items []store.BatchItem) ([]store.BatchResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	calls := make([]*call, len(items))
	for i, it := range items {
		calls[i] = getCall(it.ID, it.GetOptions)
	}
	out := make([]store.BatchResult, len(items))
	errs, err := s.runEach(ctx, calls, func(i int, t *txn) error {
		var err error
		out[i].Secret, err = t.get(calls[i], items[i].ID, items[i].GetOptions)
		return err
	})
	if err != nil {
		return nil, store.NewOpError("batch get", "", err)
	}
	for i, e := range errs {
		if e != nil {
			out[i] = store.BatchResult{Err: store.NewOpError("get", items[i].ID, e)}
		}
	}
	return out, nil
}

func getCall(id string, o store.GetOptions) *call {
	c := &call{event: "GetSecretValue", readOnly: true, params: map[string]any{"secretId": id}}
	if o.VersionID != "" {
		c.params["versionId"] = o.VersionID
	}
	if o.Stage != "" {
		c.params["versionStage"] = o.Stage
	}
	return c
}

func (t *txn) get(c *call, id string, o store.GetOptions) (store.Secret, error) {
	r, err := t.load(c, id)
	if err != nil {
		return store.Secret{}, err
	}
	accessed := r.LastAccessed
	ver, err := r.get(o, t.now)
	if err != nil {
		return store.Secret{}, err
	}
	v, err := storeCrypter{t.s}.open(r.ARN, ver)
	if err != nil {
		return store.Secret{}, err
	}
	out := store.Secret{ARN: r.ARN, Name: r.Name, VersionID: ver.ID, Stages: slices.Clone(ver.Stages), CreatedDate: ver.Created, Value: v}
	if accessed == nil || !accessed.Equal(*r.LastAccessed) {
		if err := t.save(r); err != nil {
			return store.Secret{}, err
		}
	}
	return out, nil
}

// Put is PutSecretValue.
func (s *Store) Put(ctx context.Context, id string, v secret.Value, o store.PutOptions) (store.Ref, error) {
	if o.Token == "" {
		o.Token = uuid.NewString()
	}
	c := &call{event: "PutSecretValue", params: map[string]any{"secretId": id, "clientRequestToken": o.Token}}
	if len(o.Stages) > 0 {
		c.params["versionStages"] = o.Stages
	}
	var ref store.Ref
	err := s.run(ctx, c, func(t *txn) error {
		r, err := t.load(c, id)
		if err != nil {
			return err
		}
		if ref, err = r.put(o.Token, v, o.Stages, t.now, storeCrypter{s}); err != nil {
			return err
		}
		c.resp = refElements(ref)
		return t.save(r)
	})
	if err != nil {
		return store.Ref{}, store.NewOpError("put", id, err)
	}
	return ref, nil
}

// Update is UpdateSecret for metadata.
func (s *Store) Update(ctx context.Context, id string, in store.UpdateInput) (store.Ref, error) {
	c := &call{event: "UpdateSecret", params: map[string]any{"secretId": id}}
	if in.Description != nil {
		c.params["description"] = *in.Description
	}
	if in.KmsKeyID != nil {
		c.params["kmsKeyId"] = *in.KmsKeyID
	}
	var ref store.Ref
	err := s.run(ctx, c, func(t *txn) error {
		r, err := t.load(c, id)
		if err != nil {
			return err
		}
		if err := r.update(in, t.now); err != nil {
			return err
		}
		ref = r.ref()
		c.resp = refElements(ref)
		return t.save(r)
	})
	if err != nil {
		return store.Ref{}, store.NewOpError("update", id, err)
	}
	return ref, nil
}

// Describe is DescribeSecret. It works on a secret pending deletion.
func (s *Store) Describe(ctx context.Context, id string) (store.Meta, error) {
	c := &call{event: "DescribeSecret", readOnly: true, params: map[string]any{"secretId": id}}
	var m store.Meta
	err := s.run(ctx, c, func(t *txn) error {
		r, err := t.load(c, id)
		if err != nil {
			return err
		}
		m = r.meta()
		return nil
	})
	if err != nil {
		return store.Meta{}, store.NewOpError("describe", id, err)
	}
	return m, nil
}

// List is ListSecrets, sorted by name.
func (s *Store) List(ctx context.Context, o store.ListOptions) ([]store.Meta, error) {
	c := &call{event: "ListSecrets", readOnly: true, params: map[string]any{}}
	var filters []map[string]any
	if o.Prefix != "" {
		filters = append(filters, map[string]any{"key": "name", "values": []string{o.Prefix}})
	}
	for _, tg := range tagList(o.Tags) {
		filters = append(filters, map[string]any{"key": "tag-key", "values": []string{tg["key"]}},
			map[string]any{"key": "tag-value", "values": []string{tg["value"]}})
	}
	if len(filters) > 0 {
		c.params["filters"] = filters
	}
	if o.IncludeDeleted {
		c.params["includePlannedDeletion"] = true
	}
	var out []store.Meta
	err := s.run(ctx, c, func(t *txn) error {
		rs, err := t.query(`WHERE substr(name, 1, ?) = ? ORDER BY name`, len(o.Prefix), o.Prefix)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if (r.pendingDeletion() && !o.IncludeDeleted) || !matchesTags(r, o.Tags) {
				continue
			}
			out = append(out, r.meta())
		}
		return nil
	})
	if err != nil {
		return nil, store.NewOpError("list", o.Prefix, err)
	}
	return out, nil
}

// Versions is ListSecretVersionIds, newest first.
func (s *Store) Versions(ctx context.Context, id string, includeDeprecated bool) ([]store.Version, error) {
	c := &call{event: "ListSecretVersionIds", readOnly: true, params: map[string]any{"secretId": id}}
	if includeDeprecated {
		c.params["includeDeprecated"] = true
	}
	var out []store.Version
	err := s.run(ctx, c, func(t *txn) error {
		r, err := t.load(c, id)
		if err != nil {
			return err
		}
		out = r.versionList(includeDeprecated)
		return nil
	})
	if err != nil {
		return nil, store.NewOpError("list versions", id, err)
	}
	return out, nil
}

// UpdateStage is UpdateSecretVersionStage. Moving AWSCURRENT moves
// AWSPREVIOUS to the version it left and sets LastRotatedDate. AWSPENDING
// may be moved onto a version id that has no value yet.
func (s *Store) UpdateStage(ctx context.Context, id string, m store.StageMove) (store.Ref, error) {
	c := &call{event: "UpdateSecretVersionStage", params: map[string]any{"secretId": id, "versionStage": m.Stage}}
	if m.MoveTo != "" {
		c.params["moveToVersionId"] = m.MoveTo
	}
	if m.RemoveFrom != "" {
		c.params["removeFromVersionId"] = m.RemoveFrom
	}
	var ref store.Ref
	err := s.run(ctx, c, func(t *txn) error {
		r, err := t.load(c, id)
		if err != nil {
			return err
		}
		if err := r.updateStage(m, t.now); err != nil {
			return err
		}
		ref = r.ref()
		c.resp = refElements(ref)
		return t.save(r)
	})
	if err != nil {
		return store.Ref{}, store.NewOpError("update stage", id, err)
	}
	return ref, nil
}

// Delete is DeleteSecret. A forced delete removes the secret at once, and
// succeeds on a secret that does not exist, as AWS does.
func (s *Store) Delete(ctx context.Context, id string, o store.DeleteOptions) (store.Ref, time.Time, error) {
	c := &call{event: "DeleteSecret", params: map[string]any{"secretId": id}}
	if o.Force {
		c.params["forceDeleteWithoutRecovery"] = true
	}
	if o.RecoveryDays != 0 {
		c.params["recoveryWindowInDays"] = o.RecoveryDays
	}
	var ref store.Ref
	var when time.Time
	err := s.run(ctx, c, func(t *txn) error {
		r, err := t.load(c, id) // before validating, so a refused call still names the secret
		if err := o.Validate(); err != nil {
			return err
		}
		if errors.Is(err, store.ErrNotFound) && o.Force {
			ref, when = store.Ref{Name: id}, t.now
			c.resp = map[string]any{"name": id, "deletionDate": t.now.Format(time.RFC3339)}
			return nil
		}
		if err != nil {
			return err
		}
		ref = r.ref()
		if o.Force {
			when = t.now
			if err := t.remove(r.ARN); err != nil {
				return err
			}
		} else {
			if when, err = r.scheduleDeletion(o.Days(), t.now); err != nil {
				return err
			}
			if err := t.save(r); err != nil {
				return err
			}
		}
		c.resp = refElements(ref)
		c.resp["deletionDate"] = when.UTC().Format(time.RFC3339)
		return nil
	})
	if err != nil {
		return store.Ref{}, time.Time{}, store.NewOpError("delete", id, err)
	}
	return ref, when, nil
}

// Restore is RestoreSecret: it cancels a scheduled deletion.
func (s *Store) Restore(ctx context.Context, id string) (store.Ref, error) {
	c := &call{event: "RestoreSecret", params: map[string]any{"secretId": id}}
	var ref store.Ref
	err := s.run(ctx, c, func(t *txn) error {
		r, err := t.load(c, id)
		if err != nil {
			return err
		}
		r.restore(t.now)
		ref = r.ref()
		c.resp = refElements(ref)
		return t.save(r)
	})
	if err != nil {
		return store.Ref{}, store.NewOpError("restore", id, err)
	}
	return ref, nil
}

// Tag is TagResource: it adds or overwrites tags.
func (s *Store) Tag(ctx context.Context, id string, tags map[string]string) error {
	c := &call{event: "TagResource", params: map[string]any{"secretId": id, "tags": tagList(tags)}}
	err := s.run(ctx, c, func(t *txn) error {
		r, err := t.load(c, id)
		if err != nil {
			return err
		}
		if err := r.tag(tags, t.now); err != nil {
			return err
		}
		c.resp = refElements(r.ref())
		return t.save(r)
	})
	if err != nil {
		return store.NewOpError("tag", id, err)
	}
	return nil
}

// Untag is UntagResource: absent keys are ignored.
func (s *Store) Untag(ctx context.Context, id string, keys []string) error {
	c := &call{event: "UntagResource", params: map[string]any{"secretId": id, "tagKeys": keys}}
	err := s.run(ctx, c, func(t *txn) error {
		r, err := t.load(c, id)
		if err != nil {
			return err
		}
		if err := r.untag(keys, t.now); err != nil {
			return err
		}
		c.resp = refElements(r.ref())
		return t.save(r)
	})
	if err != nil {
		return store.NewOpError("untag", id, err)
	}
	return nil
}
