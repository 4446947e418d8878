package packet_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/selection/packet"
)

// FuzzDecode checks that Decode never panics, that Payload stays inside the
// frame, that errors are of the documented kinds and that decoding is
// deterministic. Its seeds are the frames of validTests and errorTests (each
// row commented there) and the files in testdata/fuzz/FuzzDecode, named for
// what they hold.
func FuzzDecode(f *testing.F) {
	for _, tt := range validTests {
		f.Add(tt.frame, uint16(tt.link))
	}
	for _, tt := range errorTests {
		f.Add(tt.frame, uint16(tt.link))
	}
	f.Fuzz(func(t *testing.T, frame []byte, link uint16) {
		var p packet.Parsed
		err := p.Decode(frame, packet.LinkType(link))
		var de *packet.DecodeError
		switch {
		case err == nil:
			if p.IPVersion != 0 && (!p.Src.IsValid() || !p.Dst.IsValid()) {
				t.Errorf("IP version %d with addresses %v, %v", p.IPVersion, p.Src, p.Dst)
			}
			if p.IPVersion == 4 && (!p.Src.Is4() || !p.Dst.Is4()) {
				t.Errorf("IPv4 with addresses %v, %v", p.Src, p.Dst)
			}
		case errors.Is(err, packet.ErrUnsupportedLink):
			if packet.LinkType(link).Supported() {
				t.Errorf("ErrUnsupportedLink for supported link %v", packet.LinkType(link))
			}
		case errors.As(err, &de):
			if de.Offset < 0 || de.Offset > len(frame) {
				t.Errorf("error offset %d outside frame of %d bytes", de.Offset, len(frame))
			}
		default:
			t.Errorf("error %v of type %T, want *DecodeError or ErrUnsupportedLink", err, err)
		}
		checkWithin(t, p.Payload, frame)
		if len(p.Payload) != cap(p.Payload) {
			t.Errorf("Payload: got cap %d, want len %d", cap(p.Payload), len(p.Payload))
		}
		if p.Payload != nil && p.FragOffset != 0 {
			t.Errorf("payload of %d bytes in a non-first fragment", len(p.Payload))
		}
		var again packet.Parsed
		err2 := again.Decode(frame, packet.LinkType(link))
		if (err == nil) != (err2 == nil) {
			t.Errorf("second Decode: got error %v, first %v", err2, err)
		}
		if diff := cmp.Diff(p, again, cmpOpts()); diff != "" {
			t.Errorf("second Decode differs (-first +second):\n%s", diff)
		}
	})
}
