package capgen

import (
	"io"
	"testing"

	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// AllocsPerPacket writes warm packets of cfg to io.Discard, then returns the
// average number of heap allocations per packet over the next runs × n.
func AllocsPerPacket(cfg Config, warm, runs, n int) float64 {
	cfg = cfg.withDefaults()
	w, err := capture.NewWriter(io.Discard, packet.LinkEthernet, Snaplen)
	if err != nil {
		panic(err)
	}
	g, err := newGen(cfg, w)
	if err != nil {
		panic(err)
	}
	g.maxPackets = int64(warm)
	if err := g.run(); err != nil {
		panic(err)
	}
	return testing.AllocsPerRun(runs, func() {
		g.maxPackets += int64(n)
		if err := g.run(); err != nil {
			panic(err)
		}
	}) / float64(n)
}
