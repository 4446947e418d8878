// Package manifest is the signed approval manifest that lets the selection
// engine run, and the signed revocation list that stops it.
//
// When the commission approves an acquisition (ch.4, ch.6) or an agreement
// is signed (ch.3), the server issues a manifest: the approval id, the
// SHA-256 of the exact bytes of the criteria file approved, the directions and
// facilities covered and the validity window, signed with Ed25519 by the
// approval-manifest key. `acd select` verifies it against the server's
// public keys and a revocation list before it reads a packet ([Check]).
//
// Manifests, key sets and revocation lists are JSON objects. The signature
// covers the RFC 8785 (JCS) canonical form of the object without its
// "signature" member, so whitespace and member order do not matter but every
// value does.
package manifest
