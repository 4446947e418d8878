// Package capture reads and writes packet capture files: classic pcap (both
// byte orders, micro- and nanosecond timestamps) and pcapng.
//
// Every frame source of the selection engine, file or live, yields Records
// through the Source interface. A Reader streams a file through a 1 MiB
// buffer and hands out each frame as a slice of that buffer, so reading
// costs no allocation per frame; the slice is valid only until the next
// call to Next. A Writer writes classic pcap with nanosecond timestamps.
//
//	r, err := capture.NewReader(f)
//	...
//	var rec capture.Record
//	for {
//		err := r.Next(&rec)
//		if err == io.EOF {
//			break
//		}
//		var ce *capture.CorruptError
//		if errors.As(err, &ce) {
//			continue // counted; the reader goes on with the next good record
//		}
//		if err != nil {
//			return err
//		}
//		// use rec.Data, rec.Time, rec.LinkType
//	}
//
// # Damaged input
//
// A damaged file does not stop a Reader: Next returns a *CorruptError
// naming the byte offset of the bad record or block, then, on the next call,
// scans forward byte by byte for a plausible one and goes on from there. A
// plausible pcap record has consistent lengths (captured <= snapshot length,
// captured <= original, original > 0), a sub-second field below one second,
// a time no more than an hour before the last good record, and is followed
// by another plausible header or the end of the input. A plausible pcapng
// block has a known type, a length that is a multiple of 4 and agrees with
// the copy at its end, and, for packet blocks, a described interface.
//
// A record that claims more bytes than the read buffer holds cannot be
// checked against what follows it before it is consumed; the Reader then
// takes it only if its own header is plausible in every field, so that a
// damaged length swallows as little as it can.
//
// A record cut short by the end of the input gives a *CorruptError and then
// io.EOF. Error messages quote offsets, lengths and header fields only,
// never frame bytes.
package capture
