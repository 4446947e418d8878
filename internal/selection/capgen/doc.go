// Package capgen generates deterministic synthetic traffic captures, and the
// side files that go with them, for testing and benchmarking the selection
// engine (internal/selection, acd select).
//
// Write streams a classic pcap of Ethernet frames: complete TCP connections
// and UDP exchanges (HTTP/1.1, TLS, DNS over UDP and TCP, SMTP with MIME
// mail, RTP-like media, bulk transfers) over IPv4 and IPv6, many flows
// interleaved, with frame sizes roughly like IMIX. The same Config always
// yields the same bytes, and memory stays flat however many packets are
// asked for, so it can feed gigabytes into a pipe.
//
//	m, err := capgen.Write(f, capgen.Config{Packets: 1_000_000, Seed: 1, Canaries: true})
//
// WriteDelegated writes the domestic address table (RIR delegated format)
// that makes the generator's domestic pool Japanese, and WriteCriteria a
// criteria file of any number of matchers whose fixed rules match a known
// share of the traffic.
//
// # Canaries
//
// With Config.Canaries, every field that is communication content — mail
// subjects, bodies, From display names, MIME boundaries, attachment names
// and bytes (inside base64), HTTP bodies, cookies, Authorization values,
// query values, RTP payloads, TLS application data, HTTP response bodies —
// carries a unique string CANARY-<kind>-<n>-<hex>. The law lets selection
// keep only mechanical information (times, addresses, ports, volumes,
// commands, software types, domain names, mail addresses), so no canary may
// ever appear in the engine's output, logs or errors; Manifest.Canaries
// lists a sample to search for. Manifest also lists mechanical values that
// selection may keep (hosts, user agents, paths with query names only, SNIs,
// query names, HELO domains, mail addresses) and counts of what was written.
//
// # Addresses
//
// Every address is only bytes in a file: the domestic pool is 133.0.0.0/12
// and 2001:2f8::/32, the foreign pool 8.0.0.0/12 and 2a00::/24, and flows
// run in all four directions (外外, 外内, 内外, 内内). Servers sit at fixed
// addresses per service (see WriteCriteria's fixed rules), clients anywhere
// else in the pools.
package capgen
