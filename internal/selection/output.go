package selection

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"sync"
)

// output is the one writer that serialises every worker's records. It
// hashes exactly the bytes it writes, so the summary can state the SHA-256
// of the run's output.
type output struct {
	mu  sync.Mutex // guards everything below
	w   *bufio.Writer
	sum hash.Hash
	n   int64 // bytes written
	err error // first write error; later writes are skipped
}

func newOutput(w io.Writer) *output {
	h := sha256.New()
	return &output{w: bufio.NewWriterSize(io.MultiWriter(w, h), 256<<10), sum: h}
}

// write appends whole records (b ends in a newline).
func (o *output) write(b []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return
	}
	n, err := o.w.Write(b)
	o.n += int64(n)
	o.err = err
}

// close flushes and returns the SHA-256 (hex) and size of what was written
// so far; the caller writes the summary after it.
func (o *output) digest() (string, int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err == nil {
		o.err = o.w.Flush()
	}
	return hex.EncodeToString(o.sum.Sum(nil)), o.n, o.err
}

// flushBatch is how many bytes of records a worker gathers before it takes
// the output lock.
const flushBatch = 64 << 10

// flush hands the worker's gathered records to the output.
func (w *worker) flush() {
	if len(w.rec.b) > 0 {
		w.out.write(w.rec.b)
		w.rec.b = w.rec.b[:0]
	}
}

// done ends a record and flushes when the batch is full.
func (w *worker) done() {
	w.rec.line()
	w.c.Records++
	if len(w.rec.b) >= flushBatch {
		w.flush()
	}
}
