package selection

import "github.com/acd-platform/acd/internal/selection/direction"

// Volume counts packets and bytes (on the wire).
type Volume struct {
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
}

func (v *Volume) add(packets, bytes uint64) {
	v.Packets += packets
	v.Bytes += bytes
}

func (v *Volume) merge(o Volume) { v.add(o.Packets, o.Bytes) }

// DirectionCounters are the commission's figures for one direction: what
// the run saw, what was in scope of the criteria set (its directions), what
// was selected (kept as mechanical information) and what was deleted at once.
// Seen = Selected + Deleted once a run has ended.
type DirectionCounters struct {
	Seen     Volume `json:"seen"`
	InScope  Volume `json:"in_scope"`
	Selected Volume `json:"selected"`
	Deleted  Volume `json:"deleted"`
}

func (d *DirectionCounters) merge(o *DirectionCounters) {
	d.Seen.merge(o.Seen)
	d.InScope.merge(o.InScope)
	d.Selected.merge(o.Selected)
	d.Deleted.merge(o.Deleted)
}

// Counters are a run's totals. Workers keep their own and the engine merges
// them at the end, so the hot path never shares a cache line.
type Counters struct {
	// Direction is indexed by direction.Direction.
	Direction [4]DirectionCounters
	// NonIP counts frames that carry no IP packet (ARP, LLDP…): seen and
	// deleted at once, with no direction.
	NonIP Volume
	// Malformed counts records and frames that could not be read or decoded;
	// they are deleted.
	Malformed Volume
	// Fragments counts IP fragments. Non-first fragments carry no ports: they
	// are classified and matched on addresses and protocol alone.
	Fragments uint64
	// Flows counts flows tracked, and Selected those kept.
	Flows, SelectedFlows uint64
	// EvictedFlows counts flows ended early because the flow table was full.
	EvictedFlows uint64
	// Records counts the records written: flows and per-request events
	// (HTTP, DNS, SMTP, mail headers).
	Records uint64
	// StreamGiveUps counts client streams whose application data was not
	// read to the end because of a gap, the per-flow cap or the memory cap.
	StreamGiveUps uint64
}

func (c *Counters) merge(o *Counters) {
	for i := range c.Direction {
		c.Direction[i].merge(&o.Direction[i])
	}
	c.NonIP.merge(o.NonIP)
	c.Malformed.merge(o.Malformed)
	c.Fragments += o.Fragments
	c.Flows += o.Flows
	c.SelectedFlows += o.SelectedFlows
	c.EvictedFlows += o.EvictedFlows
	c.Records += o.Records
	c.StreamGiveUps += o.StreamGiveUps
}

// Total sums the directions.
func (c *Counters) Total() DirectionCounters {
	var t DirectionCounters
	for i := range c.Direction {
		t.merge(&c.Direction[i])
	}
	return t
}

// dirCounters returns the counters of d.
func (c *Counters) dirCounters(d direction.Direction) *DirectionCounters { return &c.Direction[d&3] }
