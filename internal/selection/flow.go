package selection

import (
	"net/netip"

	"github.com/acd-platform/acd/internal/selection/direction"
)

// flowKey names a flow independently of the packet's direction: the
// endpoint that sorts first is "a". Addresses are kept as 16-byte arrays so
// the key hashes without following pointers.
type flowKey struct {
	a, b   [16]byte
	pa, pb uint16
	proto  uint8
	v6     bool
}

// makeKey returns the key of a packet and whether its source is endpoint a.
func makeKey(src, dst netip.Addr, sport, dport uint16, proto uint8) (flowKey, bool) {
	s, d := src.As16(), dst.As16()
	k := flowKey{proto: proto, v6: src.Is6()}
	if c := compare16(&s, &d); c < 0 || c == 0 && sport <= dport {
		k.a, k.b, k.pa, k.pb = s, d, sport, dport
		return k, true
	}
	k.a, k.b, k.pa, k.pb = d, s, dport, sport
	return k, false
}

func compare16(x, y *[16]byte) int {
	for i := range x {
		if x[i] != y[i] {
			if x[i] < y[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// Flow states. A flow is tracked only when it is selected or could still be
// selected by what its application data shows (a domain or a command);
// everything else is deleted packet by packet without any state.
const (
	pending  uint8 = iota // no rule has matched yet, one still could
	selected              // a rule matched: the flow's mechanical information is kept
	rejected              // nothing can match any more: counted, then deleted
)

// flow is one tracked flow. Side 0 is the client (the endpoint that opened the
// flow, or the first seen), side 1 the server.
type flow struct {
	key     flowKey
	id      uint64
	clientA bool // endpoint a of the key is the client
	state   uint8
	closed  bool // FIN both ways or RST: kept briefly for stray packets
	// A pending flow could still be selected by a domain or a command rule:
	// what the matcher's WantsApp said when the flow began.
	wantDomain, wantCommand bool
	dir                     direction.Direction
	rule                    int32
	first                   int64
	last                    int64
	emitted                 int64 // start of the current reporting interval (active timeout)
	packets                 [2]uint64
	bytes                   [2]uint64
	flags                   [2]uint8 // TCP flags ORed per side
	fin                     [2]bool
	icmpType                uint8
	icmpCode                uint8
	app                     app

	// LRU list by last activity, as slab indices; -1 ends.
	prev, next int32
}

// side returns 0 when a packet whose source is endpoint a (srcIsA) comes
// from the client.
func (f *flow) side(srcIsA bool) int {
	if srcIsA == f.clientA {
		return 0
	}
	return 1
}

// endpoints returns the client's and server's addresses and ports.
func (f *flow) endpoints() (cs, cd [16]byte, sp, dp uint16) {
	if f.clientA {
		return f.key.a, f.key.b, f.key.pa, f.key.pb
	}
	return f.key.b, f.key.a, f.key.pb, f.key.pa
}

// flowTable holds one worker's flows in a slab with a free list, indexed by a
// map, and ordered by last activity so idle flows are found from the tail
// without scanning. The slab grows by whole chunks, so a flow never moves:
// growing it copies nothing, and a *flow stays valid until the flow is
// removed. It is owned by one goroutine.
type flowTable struct {
	index      map[flowKey]int32
	chunks     [][]flow // each slabChunk flows long
	used       int32    // slots handed out so far
	free       []int32
	head, tail int32 // most and least recently active
}

// slabChunk is how many flows one chunk of the slab holds.
const (
	slabShift = 12
	slabChunk = 1 << slabShift
)

// at returns the flow in slot i.
func (t *flowTable) at(i int32) *flow { return &t.chunks[i>>slabShift][i&(slabChunk-1)] }

func newFlowTable(hint int) *flowTable {
	return &flowTable{index: make(map[flowKey]int32, hint), head: -1, tail: -1}
}

func (t *flowTable) len() int { return len(t.index) }

func (t *flowTable) get(k flowKey) *flow {
	i, ok := t.index[k]
	if !ok {
		return nil
	}
	t.touch(i)
	return t.at(i)
}

// add inserts a new flow for k and returns it, zeroed but for key and links.
func (t *flowTable) add(k flowKey) *flow {
	var i int32
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		if int(t.used) == len(t.chunks)*slabChunk {
			t.chunks = append(t.chunks, make([]flow, slabChunk))
		}
		i = t.used
		t.used++
	}
	f := t.at(i)
	*f = flow{key: k, prev: -1, next: -1}
	t.index[k] = i
	t.pushFront(i)
	return f
}

// remove drops f, which must be in the table.
func (t *flowTable) remove(f *flow) {
	i := t.index[f.key]
	delete(t.index, f.key)
	t.unlink(i)
	*f = flow{}
	t.free = append(t.free, i)
}

// oldest returns the least recently active flow, or nil.
func (t *flowTable) oldest() *flow {
	if t.tail < 0 {
		return nil
	}
	return t.at(t.tail)
}

func (t *flowTable) touch(i int32) {
	if t.head == i {
		return
	}
	t.unlink(i)
	t.pushFront(i)
}

func (t *flowTable) pushFront(i int32) {
	f := t.at(i)
	f.prev, f.next = -1, t.head
	if t.head >= 0 {
		t.at(t.head).prev = i
	}
	t.head = i
	if t.tail < 0 {
		t.tail = i
	}
}

func (t *flowTable) unlink(i int32) {
	f := t.at(i)
	if f.prev >= 0 {
		t.at(f.prev).next = f.next
	} else {
		t.head = f.next
	}
	if f.next >= 0 {
		t.at(f.next).prev = f.prev
	} else {
		t.tail = f.prev
	}
	f.prev, f.next = -1, -1
}
