package auditlog

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/acd-platform/acd/internal/store"
)

// Resolver returns the current stored state of one resource, as the payload
// its latest audit entry digested. A capability registers one per resource
// type it audits, so that Verify can check the log against the data: the
// payload a change appends MUST be what the resolver returns right after that
// change commits (typically the record's public fields, never secrets).
type Resolver func(ctx context.Context, q store.Querier, id string) (any, error)

// Lister returns the ids of every stored resource of one type, so that
// Verify can find records that changed without an audit entry.
type Lister func(ctx context.Context, q store.Querier) ([]string, error)

// TableLister is the Lister of a resource type whose records are the rows
// of table, by their id column, in id order. When component is not "",
// a database that has never had that component's tables lists none.
func TableLister(component, table string) Lister {
	q := "SELECT id FROM " + table + " ORDER BY id"
	return func(ctx context.Context, db store.Querier) ([]string, error) {
		if component != "" {
			if ok, err := store.Migrated(ctx, db, component); err != nil || !ok {
				return nil, err
			}
		}
		rows, err := db.Query(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
}

// ErrNoRecord is what a Resolver returns when the resource does not exist;
// Verify reports it as a mismatch unless the latest entry's action ends in
// ".delete".
var ErrNoRecord = errors.New("no such record")

// resolvers is a registry guarded by its own mutex, held by the Log.
type resolvers struct {
	mu      sync.Mutex // guards m and listers
	m       map[string]Resolver
	listers map[string]Lister
}

// RegisterResolver registers r for resources "typ/…". Registering a type
// twice replaces the earlier resolver.
func (l *Log) RegisterResolver(typ string, r Resolver) {
	l.res.mu.Lock()
	defer l.res.mu.Unlock()
	if l.res.m == nil {
		l.res.m = map[string]Resolver{}
	}
	l.res.m[typ] = r
}

// RegisterLister registers l for resources "typ/…": Verify then reports any
// stored record of the type that has no audit entry at all.
func (l *Log) RegisterLister(typ string, lister Lister) {
	l.res.mu.Lock()
	defer l.res.mu.Unlock()
	if l.res.listers == nil {
		l.res.listers = map[string]Lister{}
	}
	l.res.listers[typ] = lister
}

// Listers returns a copy of the registered listers, by type.
func (l *Log) Listers() map[string]Lister {
	l.res.mu.Lock()
	defer l.res.mu.Unlock()
	m := make(map[string]Lister, len(l.res.listers))
	for k, v := range l.res.listers {
		m[k] = v
	}
	return m
}

// Resolvers returns a copy of the registered resolvers, by type.
func (l *Log) Resolvers() map[string]Resolver {
	l.res.mu.Lock()
	defer l.res.mu.Unlock()
	m := make(map[string]Resolver, len(l.res.m))
	for k, v := range l.res.m {
		m[k] = v
	}
	return m
}

// splitResource splits "type/id" at the first slash.
func splitResource(r string) (typ, id string) {
	typ, id, _ = strings.Cut(r, "/")
	return typ, id
}
