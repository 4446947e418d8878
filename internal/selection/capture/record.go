package capture

import "github.com/acd-platform/acd/internal/selection/packet"

// Record is one captured frame. Data is valid only until the next call to the source's Next.
type Record struct {
	Time     int64           // capture time, Unix nanoseconds
	Data     []byte          // captured bytes (len = captured length)
	OrigLen  int             // length on the wire
	LinkType packet.LinkType // link-layer header type of Data
	Offset   int64           // byte offset of the record in its input (file sources); -1 when not applicable
}

// Source is anything that yields frames: file readers, live capture.
//
// Next fills rec with the next frame and returns io.EOF at the end. The bytes
// rec.Data points at belong to the source and are valid only until the next
// call to Next; a caller that keeps them must copy them. A Source is not safe
// for concurrent use.
type Source interface{ Next(rec *Record) error } // io.EOF at the end
