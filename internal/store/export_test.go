package store

// RebindForTest exposes rebind to the tests.
var RebindForTest = rebind

// CachedStatements is how many prepared statements db keeps.
func CachedStatements(db *DB) int {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	return len(db.stmts.m)
}
