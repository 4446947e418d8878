// Package extract pulls the mechanical information out of application
// protocols for the selection engine: the head of HTTP/1.x requests, the
// TLS ClientHello and its JA4 fingerprint, DNS messages, SMTP client
// commands and the header block of the mail they carry.
//
// Selection (§2(8), ch.5 and ch.7 of the Act) screens traffic by machine and
// may keep only mechanical information: information that is not the
// essential content of the communication, such as times, addresses,
// protocols and the names a protocol uses to route and describe a message.
// Content must be neither kept nor shown to anyone. This package is where
// that line is drawn for the application layer, so each parser reads only
// the fields listed below and passes over everything else without
// interpreting it.
//
// # What is extracted, and what never is
//
// HTTP (ParseRequest, AppendPath): method, request target, version, Host,
// User-Agent, and the framing of the body (Content-Length,
// Transfer-Encoding) so that the body can be skipped. The emitted path is
// AppendPath's: the path and the NAMES of the query parameters. Never:
// query values, Cookie, Authorization or any other field, the body.
// Request.Line and Request.Target keep the query values for matching by
// machine; they must not be emitted.
//
// TLS (ParseClientHello, ClientHello.AppendJA4): record and hello versions,
// supported_versions, the server name (SNI), the ALPN list, cipher suites,
// extension types, signature algorithms, and the JA4 fingerprint. Never:
// random, session id, key shares, PSK identities, or anything after the
// ClientHello (all of which is encrypted or key material).
//
// DNS (ParseDNS, ParseDNSTCP): header (id, QR, opcode, rcode, TC, counts),
// the first question's name, type and class, the A/AAAA addresses of the
// answers and the number of CNAMEs. Nothing else of the answer, authority
// or additional sections (TXT data in particular) is read.
//
// SMTP (ParseCommand, DataSkipper): the verb, the HELO/EHLO domain, the
// MAIL FROM and RCPT TO addresses, the BDAT size. Never: AUTH arguments
// (credentials), VRFY/EXPN/HELP arguments, ESMTP parameters, the body of
// the mail. DataSkipper hands over only the header block of the mail data
// and walks the body without keeping it.
//
// Mail headers (ParseHeaders, ParseAddress): the addresses (local@domain
// only, never display names or comments) of From, To, Cc and Return-Path;
// the from/by/with clauses and date of each Received field; Message-ID;
// Date; MIME-Version; and the top-level media type of Content-Type without
// its parameters. Never: Subject, or any other field (each is skipped after
// its name), display names, comments, RFC 2047 encoded words (never
// decoded, since the display names that carry them are dropped), MIME
// parameters such as boundary, name or filename, the body and its parts.
//
// # Using the parsers
//
// The parsers are functions or methods over byte slices and do no I/O. They
// fill a value owned by the caller with sub-slices of the input (or of an
// array inside the value) and do not allocate on well-formed input, so that
// the engine can run them per packet; keep one value of each kind per
// worker and reuse it. Slices in a result are valid as long as the input
// and the value are unchanged. No value is safe for concurrent use.
//
// The engine does TCP reassembly and hands over the contiguous bytes one
// direction has sent so far (client to server for HTTP, TLS and SMTP), or a
// DNS message. A parser that reaches the end of the input before the end of
// the structure returns ErrNeedMore: the engine should call again with more
// bytes, up to its per-flow cap. Input that is not the protocol, or is
// malformed, gives a *ParseError with the protocol, the offset of the fault
// and a fixed reason. Errors never quote the input, so they can be logged
// without carrying content. Errors are all that allocates, once per flow,
// except for DNS, which is parsed per packet: a DNSMessage reuses one error
// value.
//
// The LooksLike functions tell cheaply, from the first bytes of a flow,
// whether a parser is worth trying.
package extract
