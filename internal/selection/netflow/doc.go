// Package netflow decodes flow export datagrams — NetFlow version 5, NetFlow
// version 9 (RFC 3954) and IPFIX (RFC 7011) — into Flow values, so that flow
// records can be classified and selected like packets. Flow records carry
// mechanical information only (addresses, ports, protocol, counters, times),
// never content.
//
// # Decoding
//
// A Decoder keeps the templates that NetFlow v9 and IPFIX exporters announce,
// per exporter address, version, observation domain and template ID, and
// decodes each datagram with them:
//
//	d := netflow.NewDecoder(netflow.Options{})
//	err := d.Decode(exporter, datagram, func(f *netflow.Flow) {
//		// use *f; it is overwritten by the next record
//	})
//
// Decode calls its function once per flow record and reuses one Flow value,
// so decoding a data set whose template is known costs no allocation. Data
// records whose template has not been seen (or has expired or been
// withdrawn) are skipped and counted in Stats, not reported as errors: an
// exporter sends its templates periodically and a collector that starts late
// simply waits for them. A datagram whose framing is broken yields a
// *DecodeError naming the byte offset; flows decoded before that offset have
// already been delivered.
//
// # Templates
//
// The template cache is bounded (Options.MaxTemplates): when it is full the
// least recently announced template is dropped. A template that has not been
// announced again for Options.TemplateTTL is forgotten, and IPFIX template
// withdrawals (single templates and "all templates" of a set kind) are
// honoured. Options templates are read, and their data records are used only
// for the sampling interval and the IPFIX system initialisation time; each
// such value applies to the whole observation domain.
//
// # Listening
//
// Listen (or NewListener and Serve) reads datagrams from a UDP socket with one
// reused buffer and passes them to a Decoder until its context is done.
package netflow
