// Package taxii keeps the STIX 2.1 objects that ACD shares through its
// TAXII 2.1 server: the collections, the objects in them with the TLP 2.0
// marking that decides who reads each one, the ingestion of objects that
// council members post, the status of each post, and the signed cursors
// that page through a collection. Package taxiiapi serves it over HTTP under
// /taxii2/; docs/taxii.md describes both.
//
// # Collections
//
// One API root holds four kinds of collection, each known by an alias (the
// name used in URLs and by [Service.Publish]) and a fixed id in the UUID
// form TAXII requires, derived from the alias:
//
//	public          TLP:CLEAR alerts; anyone reads, even without an account; analysts write
//	council-green   council members read and write
//	council-amber   council members read (each object only if its marking lets them); analysts write
//	org-<orgID>     that organisation and analysts read; analysts write
//
// A collection the caller may neither read nor write does not exist for it
// ([ErrNotFound]): ids cannot be probed.
//
// # Visibility
//
// Every object carries the [tlp.Marking] it was stored with, and every read
// asks [tlp.Scale.Visible] about every object with the reader that
// [Readers] resolves: an object the reader may not see is never returned and
// never counted, whatever the collection. Every response that returns
// objects (or manifest entries or versions) marked other than TLP:CLEAR is
// one audit-log entry "taxii.read" naming the reader, the collection and
// the object ids.
//
// # Writes
//
// [Service.Add] takes the objects a member posts: each is checked by package
// stix and against the OASIS STIX 2.1 JSON schemas embedded from schemas/,
// its marking comes from its TLP marking references (TLP 2.0, or TLP 1.0
// with WHITE read as CLEAR), and the objects that pass are stored in one
// transaction with the status of the post and its audit entry
// "taxii.add". [Service.Publish] is how the sharing service adds the STIX
// form of a published advisory, inside the sharing service's own
// transaction.
//
// # Pages
//
// A page lists objects in the order they were added (date_added, then a
// sequence number). Its next token is an HMAC (key purpose keys.Cursor)
// over the API root, the collection, the endpoint, the normalised filters,
// the reader and the position: a token is accepted only for the query and
// the reader it was issued for ([ErrCursor] otherwise).
package taxii
