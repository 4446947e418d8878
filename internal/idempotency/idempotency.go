// Package idempotency makes retried submissions safe. A client that sends an
// Idempotency-Key header with a POST and retries after a lost answer gets
// the original answer — the same status and the same body — and the server
// does the work only once.
//
// [Keys.Do] runs inside the store transaction that does the work: it looks
// the key up, and either replays the stored answer or runs the work and
// stores its answer in the same transaction. Store transactions run one at a
// time (store.DB.Tx), so two concurrent requests with the same key cannot
// both do the work: the second waits for the first to commit and then
// replays it.
//
// A key is scoped to the caller (a user id), so two clients cannot collide,
// and bound to a hash of the request: reusing a key for a different request
// is refused with [ErrMismatch]. Only successful answers are stored; a
// refused request changed nothing and may be retried with the same key.
package idempotency

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/store"
)

// Header is the request header carrying the key.
const Header = "Idempotency-Key"

// ErrMismatch means the key was used before for a different request.
// Clients must use a new key per distinct request; the HTTP status is 422.
var ErrMismatch = errors.New("idempotency key reused for a different request")

// Response is a stored answer.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

var migrations = []store.Migration{
	{Version: 1, Name: "idempotency keys", SQL: `CREATE TABLE idempotency_keys (
	scope TEXT NOT NULL,
	key TEXT NOT NULL,
	request_hash BLOB NOT NULL,
	status INTEGER NOT NULL,
	content_type TEXT NOT NULL,
	body BLOB NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)`},
}

// Keys stores idempotency keys and their answers.
type Keys struct {
	db  *store.DB
	now func() time.Time
}

// New migrates the package's table and returns the store; now nil means
// time.Now.
func New(ctx context.Context, db *store.DB, now func() time.Time) (*Keys, error) {
	if err := db.Migrate(ctx, "idempotency", migrations); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Keys{db: db, now: now}, nil
}

// CheckKey reports whether key is acceptable: 1 to 255 printable ASCII
// characters (RFC 9110 field-value characters, no spaces at the ends).
func CheckKey(key string) error {
	if key == "" || len(key) > 255 {
		return fmt.Errorf("%s must be 1 to 255 characters, got %d", Header, len(key))
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x21 || c > 0x7e {
			return fmt.Errorf("%s: character %d is not printable ASCII", Header, i)
		}
	}
	return nil
}

// Hash returns the hash that binds a key to one request.
func Hash(method, path string, body []byte) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", method, path)
	h.Write(body)
	return h.Sum(nil)
}

// Do runs work inside tx unless scope already used key: then it returns the
// stored answer with replayed true, or ErrMismatch when reqHash differs. An
// answer of work is stored only when work returns a nil error.
func (k *Keys) Do(ctx context.Context, tx *store.Tx, scope, key string, reqHash []byte, work func() (Response, error)) (resp Response, replayed bool, err error) {
	var stored []byte
	err = tx.QueryRow(ctx, "SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE scope = ? AND key = ?", scope, key).
		Scan(&stored, &resp.Status, &resp.ContentType, &resp.Body)
	switch {
	case err == nil:
		if string(stored) != string(reqHash) {
			return Response{}, false, ErrMismatch
		}
		return resp, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return Response{}, false, fmt.Errorf("look up idempotency key: %w", err)
	}
	resp, err = work()
	if err != nil {
		return Response{}, false, err
	}
	_, err = tx.Exec(ctx, "INSERT INTO idempotency_keys (scope, key, request_hash, status, content_type, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		scope, key, reqHash, resp.Status, resp.ContentType, resp.Body, store.FormatTime(k.now()))
	if err != nil {
		return Response{}, false, fmt.Errorf("store idempotency key: %w", err)
	}
	return resp, false, nil
}

// Purge deletes keys stored before t and returns how many; a retry after
// that is treated as a new request.
func (k *Keys) Purge(ctx context.Context, before time.Time) (int64, error) {
	res, err := k.db.Exec(ctx, "DELETE FROM idempotency_keys WHERE created_at < ?", store.FormatTime(before))
	if err != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", err)
	}
	return res.RowsAffected()
}
