// Package tlp decides who may read a shared item: the Traffic Light
// Protocol 2.0 (FIRST, 2022) as the council (ch.9) applies it, plus a
// clearance an item may require of its reader.
//
//	CLEAR         anyone, including the public pages
//	GREEN         every council member
//	AMBER         the organisations named as recipients
//	AMBER+STRICT  the organisations named as recipients
//	RED           the individuals named as recipients
//
// AMBER and AMBER+STRICT are read by the same people; they differ in what a
// recipient may do next: an AMBER item may be forwarded to another council
// member organisation on a need-to-know basis ([Marking.Forwardable]), an
// AMBER+STRICT one stays inside the named organisations.
//
// Every level but CLEAR needs a reader whose organisation is a council
// member at the time of reading, so that a member that leaves the council
// loses access at once. On top of the level, an item may require a
// clearance: a [Scale] orders the clearances (default none < confidential <
// secret) and a reader must hold at least the item's.
//
// The package is pure: [Scale.Visible] is the one decision, and the sharing
// service, its pages, its API and the TAXII server all call it, each after
// resolving the caller to a [Reader].
package tlp
