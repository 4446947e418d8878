package store

// RebindForTest exposes rebind to the tests.
var RebindForTest = rebind
