package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// maxStmts bounds the statement cache: queries built at run time (an IN
// list of varying length, say) must not grow it without end.
const maxStmts = 512

// stmtCache keeps prepared statements of the writes inside transactions,
// so that a statement run on every submission is parsed once per
// connection instead of every time (parsing was a fifth of a submission's
// cost on SQLite). database/sql re-prepares a cached statement on a
// connection that has not seen it yet.
type stmtCache struct {
	mu     sync.Mutex // guards m and closed
	m      map[string]*sql.Stmt
	closed bool
}

// get returns the prepared statement for query, preparing it on first use;
// nil when it cannot be cached (the caller then runs the query as text).
func (c *stmtCache) get(ctx context.Context, db *DB, query string) *sql.Stmt {
	// pgx caches prepared statements per connection itself; and preparing
	// through the pool could wait for a connection while every connection
	// waits for the transaction that is preparing.
	if db.dialect != SQLite {
		return nil
	}
	// Savepoint statements and schema changes are not worth keeping.
	if strings.HasPrefix(query, "SAVEPOINT") || strings.HasPrefix(query, "RELEASE") || strings.HasPrefix(query, "ROLLBACK") ||
		strings.HasPrefix(query, "CREATE") || strings.HasPrefix(query, "SELECT pg_advisory") {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if c.closed || len(c.m) >= maxStmts {
		return nil
	}
	st, err := db.sql.PrepareContext(context.WithoutCancel(ctx), rebind(db.dialect, query))
	if err != nil {
		return nil // the text path reports the error
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m, c.closed = nil, true
}
