package capgen

import (
	"bytes"
	"slices"
	"strconv"
	"unsafe"
)

// canaryKind names a content field that carries a canary.
type canaryKind uint8

const (
	canarySubject canaryKind = iota
	canaryBody
	canaryAttachmentName
	canaryAttachmentBytes
	canaryBoundary
	canaryDisplayName
	canaryHTTPBody
	canaryCookie
	canaryAuthorization
	canaryQueryValue
	canaryRTP
	canaryTLSAppData
	canaryResponseBody
	numCanaryKinds
)

// canaryNames are the kinds' names, as they appear in the canaries
// themselves and in Manifest.CanaryCounts.
var canaryNames = [numCanaryKinds]string{
	"subject", "body", "attachment-name", "attachment-bytes", "boundary", "display-name",
	"http-body", "cookie", "authorization", "query-value", "rtp", "tls-appdata", "response-body",
}

// CanaryKinds returns the kinds of content that carry canaries, in the
// order Manifest.Canaries lists them.
func CanaryKinds() []string { return slices.Clone(canaryNames[:]) }

// CanaryPrefix starts every canary: CANARY-<kind>-<n>-<8 hex digits>, where n
// counts the canaries of that kind from 1. A search for CanaryPrefix finds
// any canary (the base64 form of attachment canaries excepted).
const CanaryPrefix = "CANARY-"

// mechKind names a mechanical value the manifest samples.
type mechKind uint8

const (
	mechHost mechKind = iota
	mechUserAgent
	mechPath
	mechSNI
	mechQName
	mechHELO
	mechMailFrom
	mechRcptTo
	mechHeaderFrom
	numMechKinds
)

// maxMechValues bounds each of the manifest's lists of mechanical values.
const maxMechValues = 1000

// maxCanaries bounds Manifest.Canaries; each kind keeps an equal share.
const maxCanaries = 10000

// markCanary is the first mark kind of a canary; mark kinds below it are
// mechanical values (mechKind).
const markCanary = 32

// mark is a span of the current message that the manifest records once the
// span has been written in full: a canary (kind >= markCanary) or a
// mechanical value. For attachment canaries the span is the base64 text and
// n and hex rebuild the decoded canary.
type mark struct {
	kind       uint8
	start, end int32
	n, hex     uint32
}

// canaryLen is the length of canary number n of kind k.
func canaryLen(k canaryKind, n uint32) int {
	return len(CanaryPrefix) + len(canaryNames[k]) + 1 + digits(n) + 1 + 8
}

func digits(n uint32) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// appendCanaryText appends canary n of kind k with hex suffix h.
func appendCanaryText(dst []byte, k canaryKind, n, h uint32) []byte {
	dst = append(dst, CanaryPrefix...)
	dst = append(dst, canaryNames[k]...)
	dst = append(dst, '-')
	dst = strconv.AppendUint(dst, uint64(n), 10)
	dst = append(dst, '-')
	const hexd = "0123456789abcdef"
	for i := 28; i >= 0; i -= 4 {
		dst = append(dst, hexd[h>>uint(i)&0xf])
	}
	return dst
}

// canaries samples the canaries written, per kind, with reservoir sampling
// driven by its own random stream, so the sample does not change the traffic.
type canaries struct {
	r       *rng
	perKind int
	counts  [numCanaryKinds]int64
	sample  [numCanaryKinds][]string
	decoded []string // decoded attachment canaries, parallel to sample[canaryAttachmentBytes]
}

// add records a written canary: value as it appears in the capture; n and
// hex rebuild the decoded form of an attachment canary.
func (c *canaries) add(k canaryKind, value []byte, n, hex uint32) {
	c.counts[k]++
	s := c.sample[k]
	j := len(s)
	if j >= c.perKind {
		j = int(c.r.u64() % uint64(c.counts[k]))
		if j >= c.perKind {
			return
		}
	}
	v := string(value)
	var d string
	if k == canaryAttachmentBytes {
		d = string(appendCanaryText(nil, k, n, hex))
	}
	if j == len(s) {
		c.sample[k] = append(s, v)
		if k == canaryAttachmentBytes {
			c.decoded = append(c.decoded, d)
		}
		return
	}
	s[j] = v
	if k == canaryAttachmentBytes {
		c.decoded[j] = d
	}
}

// mechSet keeps the first maxMechValues distinct values of one kind, in
// storage allocated up front so that adding costs no allocation: the values
// in an arena, their FNV-1a hashes in a map sized for all of them. (Two
// values with one hash would keep only the first: harmless for a sample.)
type mechSet struct {
	seen  map[uint64]struct{}
	arena []byte
	ends  []int // end of each value in arena
}

// mechArena is the storage of each mechSet's values.
const mechArena = 64 << 10

func newMechSet() *mechSet {
	return &mechSet{
		seen:  make(map[uint64]struct{}, maxMechValues),
		arena: make([]byte, 0, mechArena),
		ends:  make([]int, 0, maxMechValues),
	}
}

func (m *mechSet) add(v []byte) {
	if len(m.ends) == maxMechValues || len(m.arena)+len(v) > cap(m.arena) {
		return
	}
	h := uint64(14695981039346656037)
	for _, c := range v {
		h = (h ^ uint64(c)) * 1099511628211
	}
	if _, ok := m.seen[h]; ok {
		return
	}
	m.seen[h] = struct{}{}
	m.arena = append(m.arena, v...)
	m.ends = append(m.ends, len(m.arena))
}

func (m *mechSet) addString(v string) {
	m.add(unsafe.Slice(unsafe.StringData(v), len(v)))
}

func (m *mechSet) sorted() []string {
	out := make([]string, 0, len(m.ends))
	start := 0
	for _, end := range m.ends {
		out = append(out, string(m.arena[start:end]))
		start = end
	}
	slices.Sort(out)
	return out
}

// appendQueryNames appends target with query values removed: /a?x=1&y=2 →
// /a?x&y (the form in which the selection engine keeps request targets).
func appendQueryNames(dst, target []byte) []byte {
	for i, c := range target {
		if c != '?' {
			continue
		}
		dst = append(dst, target[:i+1]...)
		q := target[i+1:]
		first := true
		for len(q) > 0 {
			p := q
			if j := bytes.IndexByte(q, '&'); j >= 0 {
				p, q = q[:j], q[j+1:]
			} else {
				q = nil
			}
			if j := bytes.IndexByte(p, '='); j >= 0 {
				p = p[:j]
			}
			if !first {
				dst = append(dst, '&')
			}
			first = false
			dst = append(dst, p...)
		}
		return dst
	}
	return append(dst, target...)
}

// base64Canary returns how many base64 characters at the start of a line
// encode only canary bytes, for a canary of length n placed at the start of
// a base64 line: whole 3-byte groups.
func base64Canary(n int) int { return n / 3 * 4 }
