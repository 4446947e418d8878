package capgen_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/acd-platform/acd/internal/selection/capgen"
)

// FuzzWrite writes captures of any small Config and reads them back: every
// frame decodes and checks (readTrace), the manifest agrees with what was
// read, and without canaries no canary is in the bytes. The seed corpus is
// in testdata/fuzz/FuzzWrite, one file per case named for what it covers.
func FuzzWrite(f *testing.F) {
	f.Add(uint64(1), uint16(500), 0.2, 0.03, true, uint8(0))
	f.Fuzz(func(t *testing.T, seed uint64, packets uint16, ipv6, vlan float64, canaries bool, flows uint8) {
		cfg := capgen.Config{
			Packets:   int(packets % 2000),
			Seed:      seed,
			Canaries:  canaries,
			IPv6Share: ipv6,
			VLANShare: vlan,
			Flows:     int(flows),
		}
		if cfg.Packets == 0 {
			cfg.Packets = 1
		}
		var buf bytes.Buffer
		m, err := capgen.Write(&buf, cfg)
		if ipv6 > 1 || vlan > 1 || math.IsNaN(ipv6) || math.IsNaN(vlan) {
			if err == nil {
				t.Fatalf("Write(%+v) accepted a share above 1 or NaN", cfg)
			}
			return
		}
		if err != nil {
			t.Fatalf("Write(%+v): %v", cfg, err)
		}
		tr := readTrace(t, buf.Bytes())
		if tr.frames != cfg.Packets || m.Packets != int64(cfg.Packets) || m.WireBytes != tr.wire || m.FileBytes != int64(buf.Len()) {
			t.Fatalf("read %d frames, %d wire bytes of %d; manifest %d, %d, %d; want %d frames",
				tr.frames, tr.wire, buf.Len(), m.Packets, m.WireBytes, m.FileBytes, cfg.Packets)
		}
		if !canaries && bytes.Contains(buf.Bytes(), []byte(capgen.CanaryPrefix)) {
			t.Fatalf("capture without canaries holds %q", capgen.CanaryPrefix)
		}
	})
}
