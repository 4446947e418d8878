// Package packet decodes the link, network and transport headers of a
// captured frame without copying it and without allocating.
//
// A Parsed is a value struct the caller owns and reuses: Decode resets it and
// fills it from the frame, and every byte slice it holds (Payload) is a
// sub-slice of the frame, valid as long as the frame's buffer is.
//
//	var p packet.Parsed
//	for src.Next(&rec) == nil {
//		if err := p.Decode(rec.Data, rec.LinkType); err != nil {
//			continue // malformed frame or unsupported link type
//		}
//		// use p.Src, p.Dst, p.Proto, p.SrcPort, p.Payload, ...
//	}
package packet
