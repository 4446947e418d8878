package cve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// ReaderConfig configures a [Reader]. The zero value works.
type ReaderConfig struct {
	// MaxRecordBytes is the largest record accepted, in bytes of JSON;
	// 0 means MaxRecordBytes. A larger record stops the Reader, since
	// what follows it cannot be found without reading it.
	MaxRecordBytes int
	// Progress, if not nil, is called from Next after every
	// ProgressEvery records and once at the end of the input.
	Progress func(Progress)
	// ProgressEvery is how many records go between calls of Progress;
	// 0 means 1000.
	ProgressEvery int
}

// Progress says how far a [Reader] has got.
type Progress struct {
	// Records is the number of records read, good or bad.
	Records int
	// Rejected is how many of them were bad (Next returned a
	// *RecordError).
	Rejected int
	// Bytes is how much of the input has been consumed.
	Bytes int64
	// Done is true once the end of the input was reached.
	Done bool
}

// Reader reads a stream of records one at a time, holding one record in
// memory: a JSON array of records, records one after another (NDJSON, or
// concatenated JSON), or an NVD CVE API 2.0 response ({"vulnerabilities":
// [{"cve": …}, …], …}), or several of these in a row. Each record is a
// CVE JSON 5 record or an NVD item (see [Parse]).
//
// A Reader is not safe for concurrent use.
type Reader struct {
	cfg   ReaderConfig
	lr    *limitReader
	dec   *json.Decoder
	state readerState
	prog  Progress
	err   error  // sticky: the error that stopped the reader, or io.EOF
	raw   []byte // the last record's JSON
}

type readerState uint8

const (
	stTop      readerState = iota // between top-level values
	stArray                       // inside a top-level array of records
	stEnvelope                    // inside the "vulnerabilities" array of an NVD response
)

// NewReader returns a Reader of records from r.
func NewReader(r io.Reader, cfg ReaderConfig) *Reader {
	if cfg.MaxRecordBytes <= 0 {
		cfg.MaxRecordBytes = MaxRecordBytes
	}
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = 1000
	}
	lr := &limitReader{r: r, max: -1}
	return &Reader{cfg: cfg, lr: lr, dec: json.NewDecoder(lr)}
}

// Raw returns the JSON of the record the last call of Next returned or
// rejected, as it was in the input (nil before the first record). It is
// valid until the next call of Next; a caller that keeps it must copy it.
func (r *Reader) Raw() []byte { return r.raw }

// Progress returns how far the Reader has got.
func (r *Reader) Progress() Progress {
	p := r.prog
	p.Bytes = r.dec.InputOffset()
	return p
}

// Next returns the next record. At the end of the input it returns nil,
// io.EOF. For a bad record it returns nil and a *RecordError (with the
// record's index, id when known, and the field); the caller may call Next
// again for the records after it. Any other error (the input is not JSON,
// a record is larger than the limit, reading failed) stops the Reader:
// Next returns it again on every later call.
func (r *Reader) Next() (*Vulnerability, error) {
	r.raw = nil
	if r.err != nil {
		return nil, r.err
	}
	v, err := r.next()
	switch {
	case err == nil:
		r.count(false)
		return v, nil
	case errors.As(err, new(*RecordError)):
		r.count(true)
		return nil, err
	case err == io.EOF:
		r.prog.Done = true
		if r.cfg.Progress != nil {
			r.cfg.Progress(r.Progress())
		}
	}
	r.err = err
	return nil, err
}

// count records one more record read.
func (r *Reader) count(bad bool) {
	r.prog.Records++
	if bad {
		r.prog.Rejected++
	}
	if r.cfg.Progress != nil && r.prog.Records%r.cfg.ProgressEvery == 0 {
		r.cfg.Progress(r.Progress())
	}
}

// next finds and parses the next record.
func (r *Reader) next() (*Vulnerability, error) {
	for {
		switch r.state {
		case stArray, stEnvelope:
			r.allow()
			if r.dec.More() {
				var raw json.RawMessage
				if err := r.dec.Decode(&raw); err != nil {
					return nil, r.streamError(err)
				}
				return r.parse(raw)
			}
			if _, err := r.dec.Token(); err != nil { // the closing "]"
				return nil, r.streamError(err)
			}
			if r.state == stEnvelope {
				if err := r.finishEnvelope(); err != nil {
					return nil, err
				}
			}
			r.state = stTop
		case stTop:
			r.allow()
			tok, err := r.dec.Token()
			if err == io.EOF {
				return nil, io.EOF
			}
			if err != nil {
				return nil, r.streamError(err)
			}
			switch tok {
			case json.Delim('['):
				r.state = stArray
			case json.Delim('{'):
				raw, envelope, err := r.object()
				if err != nil {
					return nil, err
				}
				if envelope {
					r.state = stEnvelope
					continue
				}
				return r.parse(raw)
			default:
				return nil, fmt.Errorf("read record %d at byte %d: want a JSON object or array, got %v", r.prog.Records, r.dec.InputOffset(), tok)
			}
		}
	}
}

// object reads the rest of a top-level object whose "{" was read. If it
// has a "vulnerabilities" array (an NVD API response), it stops at the
// start of that array and reports envelope; otherwise it returns the
// object's JSON.
func (r *Reader) object() (raw []byte, envelope bool, err error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for r.dec.More() {
		tok, err := r.dec.Token()
		if err != nil {
			return nil, false, r.streamError(err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, false, r.streamError(fmt.Errorf("want an object key, got %v", tok))
		}
		if key == "vulnerabilities" {
			tok, err := r.dec.Token()
			if err != nil {
				return nil, false, r.streamError(err)
			}
			if tok != json.Delim('[') {
				return nil, false, fmt.Errorf("read record %d: vulnerabilities: want an array of NVD items", r.prog.Records)
			}
			return nil, true, nil
		}
		var v json.RawMessage
		if err := r.dec.Decode(&v); err != nil {
			return nil, false, r.streamError(err)
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(key))
		b.WriteByte(':')
		b.Write(v)
		if b.Len() > r.cfg.MaxRecordBytes {
			return nil, false, fmt.Errorf("read record %d: larger than %d bytes", r.prog.Records, r.cfg.MaxRecordBytes)
		}
	}
	if _, err := r.dec.Token(); err != nil { // the closing "}"
		return nil, false, r.streamError(err)
	}
	b.WriteByte('}')
	return b.Bytes(), false, nil
}

// finishEnvelope skips the fields of an NVD response after its
// "vulnerabilities" array, up to its closing "}".
func (r *Reader) finishEnvelope() error {
	for r.dec.More() {
		r.allow()
		if _, err := r.dec.Token(); err != nil { // key
			return r.streamError(err)
		}
		var skip json.RawMessage
		if err := r.dec.Decode(&skip); err != nil {
			return r.streamError(err)
		}
	}
	if _, err := r.dec.Token(); err != nil {
		return r.streamError(err)
	}
	return nil
}

// parse parses one record's JSON and gives its error the record's index.
func (r *Reader) parse(raw []byte) (*Vulnerability, error) {
	r.raw = raw
	if len(raw) > r.cfg.MaxRecordBytes {
		return nil, &RecordError{Index: r.prog.Records, ID: sniffID(raw), Msg: fmt.Sprintf("%d bytes, larger than %d", len(raw), r.cfg.MaxRecordBytes)}
	}
	v, err := parseAny(raw)
	if err != nil {
		err.Index = r.prog.Records
		return nil, err
	}
	return v, nil
}

// allow lets the decoder read one more record's worth of input.
func (r *Reader) allow() { r.lr.max = r.lr.n + int64(r.cfg.MaxRecordBytes) }

// streamError wraps an error that stops the reader.
func (r *Reader) streamError(err error) error {
	if errors.Is(err, errTooLarge) {
		return fmt.Errorf("read record %d: larger than %d bytes", r.prog.Records, r.cfg.MaxRecordBytes)
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("read record %d at byte %d: %w", r.prog.Records, r.dec.InputOffset(), err)
}

// errTooLarge is what limitReader returns past its limit.
var errTooLarge = errors.New("record too large")

// limitReader reads from r up to max bytes in all (no limit while max is
// negative); Reader moves max on before each record.
type limitReader struct {
	r   io.Reader
	n   int64 // bytes read so far
	max int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.max >= 0 {
		left := l.max - l.n
		if left <= 0 {
			return 0, errTooLarge
		}
		if int64(len(p)) > left {
			p = p[:left]
		}
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}
