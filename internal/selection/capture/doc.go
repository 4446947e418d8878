// Package capture reads and writes packet capture files: classic pcap (both
// byte orders, micro- and nanosecond timestamps) and pcapng.
//
// Every frame source of the selection engine, file or live, yields Records
// through the Source interface. A Reader streams a file with a fixed buffer
// and hands out each frame as a slice of that buffer, so reading costs no
// allocation per frame; the slice is valid only until the next call to Next.
//
// A damaged file does not stop a Reader: Next returns a *CorruptError naming
// the byte offset of the bad record, then resumes at the next record it can
// find. The error messages quote offsets, lengths and header fields only,
// never frame bytes.
package capture
