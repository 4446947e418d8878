package selection

import "github.com/acd-platform/acd/internal/selection/packet"

// A batch carries decoded packets from the reader to one worker. Payloads
// are copied into the batch's arena because the reader's buffer is reused at
// once. Batches go back and forth over channels and are never written out;
// the arena is overwritten by the next batch.
type batch struct {
	items []item
	arena []byte
}

type item struct {
	p    packet.Parsed
	ts   int64
	wire int
}

const (
	batchItems = 256
	batchArena = 1 << 20 // grown for a bigger frame while it is in the batch
)

func newBatch() *batch {
	return &batch{items: make([]item, 0, batchItems), arena: make([]byte, 0, batchArena)}
}

// add copies p into the batch; false means the batch is full. An empty
// batch takes any packet, growing its arena for a frame bigger than it.
func (b *batch) add(p *packet.Parsed, ts int64, wire int) bool {
	if len(b.items) == 0 && len(p.Payload) > cap(b.arena) {
		b.arena = make([]byte, 0, len(p.Payload))
	}
	if len(b.items) == cap(b.items) || len(b.arena)+len(p.Payload) > cap(b.arena) {
		return false
	}
	b.items = append(b.items, item{p: *p, ts: ts, wire: wire})
	if p.Payload != nil {
		start := len(b.arena)
		b.arena = append(b.arena, p.Payload...)
		b.items[len(b.items)-1].p.Payload = b.arena[start:len(b.arena):len(b.arena)]
	}
	return true
}

func (b *batch) reset() {
	b.items = b.items[:0]
	b.arena = b.arena[:0]
	if cap(b.arena) > batchArena {
		b.arena = make([]byte, 0, batchArena) // a giant frame's arena goes
	}
}
