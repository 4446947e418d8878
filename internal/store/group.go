package store

import (
	"context"
	"fmt"
	"sync"
)

// Group commits the transactions of concurrent callers together: the
// functions given to [Group.Tx] while a commit is in flight queue up, and the
// next commit runs them all in one database transaction, each inside a
// savepoint of its own. The cost of a durable commit (an fsync) is then paid
// once per batch instead of once per caller, which is what lets a burst of
// incident reports be acknowledged in milliseconds.
//
// Each function sees the database as the functions before it in the batch
// left it, and its changes are undone alone when it returns an error, exactly
// as if it had run in its own [DB.Tx]. Tx returns only after the batch has
// committed (or failed), so a nil error means the caller's changes are as
// durable as a DB.Tx of their own would have made them.
//
// The functions MUST NOT keep state outside the transaction that a rolled
// back savepoint would leave behind (they may be undone after they return),
// and MUST NOT call DB.Tx themselves.
type Group struct {
	db  *DB
	max int

	mu      sync.Mutex // guards pending and leading
	pending []*groupCall
	leading bool // a caller is running a batch
}

type groupCall struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	err  error
	done chan struct{} // closed when the batch holding the call has ended
	lead chan struct{} // closed when the caller must run the next batch
}

// NewGroup returns a Group committing at most maxBatch callers together
// (default 64 when maxBatch <= 0).
//
// On PostgreSQL every caller gets a transaction of its own: there,
// subtransactions (savepoints) made a batch slower than its calls one by
// one — 35 against 229 quick reports a second in bench/reports.sh — while a
// commit costs little, PostgreSQL flushing the WAL of concurrent commits
// together.
func (db *DB) NewGroup(maxBatch int) *Group {
	if maxBatch <= 0 {
		maxBatch = 64
	}
	if db.dialect == Postgres {
		maxBatch = 1
	}
	return &Group{db: db, max: maxBatch}
}

// Tx runs fn in a batch transaction and returns its error, or the batch's
// commit error. The caller whose call finds no batch running runs the batch
// itself; while it does, later callers queue, and the first of them runs the
// next batch.
func (g *Group) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := &groupCall{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{})}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	if !g.leading {
		g.leading = true
		g.mu.Unlock()
		g.runBatch()
	} else {
		g.mu.Unlock()
	}
	select {
	case <-c.done:
	case <-c.lead:
		g.runBatch()
		<-c.done
	}
	return c.err
}

// runBatch commits the pending calls (up to max) and then hands leadership
// to the first call still pending, if any.
func (g *Group) runBatch() {
	g.mu.Lock()
	n := min(len(g.pending), g.max)
	batch := g.pending[:n:n]
	g.pending = g.pending[n:]
	g.mu.Unlock()

	// The batch outlives any one caller's cancellation: the others are
	// waiting on it.
	ctx := context.WithoutCancel(batch[0].ctx)
	if len(batch) == 1 {
		// Alone: no savepoint needed, the transaction is the call's own.
		c := batch[0]
		c.err = g.db.Tx(c.ctx, func(tx *Tx) error { return callSafely(tx, c) })
		close(c.done)
		g.handOver()
		return
	}
	err := g.db.Tx(ctx, func(tx *Tx) error {
		for _, c := range batch {
			var broken error
			c.err, broken = runSavepoint(tx, c)
			if broken != nil {
				// A call's changes could not be undone: nothing of the
				// batch may commit.
				return broken
			}
		}
		return nil
	})
	for _, c := range batch {
		if err != nil && c.err == nil {
			c.err = err
		}
		close(c.done)
	}
	g.handOver()
}

// handOver makes the first pending call lead the next batch, or ends
// leadership when none is pending.
func (g *Group) handOver() {
	g.mu.Lock()
	if len(g.pending) == 0 {
		g.leading = false
	} else {
		close(g.pending[0].lead)
	}
	g.mu.Unlock()
}

// callSafely runs a call alone, turning a panic into its error.
func callSafely(tx *Tx, c *groupCall) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in grouped transaction: %v", p)
		}
	}()
	if err := c.ctx.Err(); err != nil {
		return err
	}
	return c.fn(tx)
}

// runSavepoint runs one call inside a savepoint, undoing its changes alone
// when it fails or panics. broken is set when the savepoint itself failed,
// which leaves the transaction unusable.
func runSavepoint(tx *Tx, c *groupCall) (err, broken error) {
	if err := c.ctx.Err(); err != nil {
		return err, nil
	}
	// The savepoint statements run on a context that is not cancelled, so
	// that a caller who gives up midway cannot leave its changes in the
	// batch.
	bg := context.WithoutCancel(c.ctx)
	if _, err := tx.Exec(bg, "SAVEPOINT group_call"); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in grouped transaction: %v", p)
		}
		if err != nil {
			if _, rerr := tx.Exec(bg, "ROLLBACK TO SAVEPOINT group_call"); rerr != nil {
				broken = fmt.Errorf("undo savepoint: %w", rerr)
				return
			}
		}
		if _, rerr := tx.Exec(bg, "RELEASE SAVEPOINT group_call"); rerr != nil {
			broken = fmt.Errorf("release savepoint: %w", rerr)
		}
	}()
	return c.fn(tx), nil
}
