package match

import (
	"fmt"
	"strings"
)

// Scheme is a way of ordering versions.
type Scheme uint8

// The schemes. Every CVE 5 versionType and vers scheme maps to one of
// them (see [SchemeFor]).
const (
	// Generic orders dotted numeric versions and most vendor schemes
	// ("9.1R18", "10.2.9-h1", "17.9.4a", "1.0~rc1", "2:1.2-3"): see
	// docs/vuln-matching.md for the rules. It is the zero Scheme.
	Generic Scheme = iota
	// Semver is Semantic Versioning 2.0.0 precedence: "-" starts a
	// pre-release that sorts before the release, "+" build metadata is
	// ignored. A version that is not semver (after allowing a leading "v"
	// and a missing minor or patch) is ordered as Generic.
	Semver
	// Git versions are commit ids: two are equal when they are the same
	// string (ignoring case); they have no order, so a range of them
	// contains nothing.
	Git
)

// String returns "generic", "semver" or "git".
func (s Scheme) String() string {
	switch s {
	case Generic:
		return "generic"
	case Semver:
		return "semver"
	case Git:
		return "git"
	}
	return fmt.Sprintf("Scheme(%d)", uint8(s))
}

// SchemeFor returns the Scheme for a CVE 5 versionType or a vers scheme:
// Semver for "semver" and the package types that use it (npm, cargo,
// golang, hex, pub); Git for "git"; Generic for everything else ("custom",
// "maven", "python", "rpm", "deb", "", …).
func SchemeFor(versionType string) Scheme {
	switch strings.ToLower(versionType) {
	case "semver", "npm", "cargo", "golang", "go", "hex", "pub":
		return Semver
	case "git":
		return Git
	}
	return Generic
}

// CompareVersions compares versions a and b under scheme s and returns
// -1, 0 or +1. Under Git it returns 0 for the same commit and otherwise
// compares the strings, which means nothing about which came first.
func CompareVersions(s Scheme, a, b string) int {
	return strings.Compare(versionKey(s, a), versionKey(s, b))
}

// A version key is a byte string whose order (bytes.Compare) is the
// version order. Generic keys are a sequence of tokens:
//
//	0x00 rank text 0x00   a pre-release word (rank 1 dev … 5 rc), or "~"
//	0x01                  the end of the version
//	0x02 text 0x00        any other word (letters)
//	0x03 len digits       a number, without leading zeros ("0" has len 0)
//	0xff                  an upper bound's trailing "*": above any token
//
// so that at the first difference a pre-release sorts before the end of
// the version, which sorts before a word, which sorts before a number:
// 1.0-rc1 < 1.0 < 1.0a < 1.0.1. Every key starts with the epoch ("2:" in
// "2:1.0"; 0 if none) as a number. Zeros right before the end or a
// pre-release are dropped, so 1.0 = 1.0.0 and 1.0-rc1 = 1.0.0-rc1.
const (
	tagPre   = 0x00
	tagEnd   = 0x01
	tagWord  = 0x02
	tagNum   = 0x03
	tagAbove = 0xff
)

// preRanks ranks the words that mark a pre-release.
var preRanks = map[string]byte{
	"dev": 1, "snapshot": 1,
	"alpha": 2, "a": 2,
	"beta": 3, "b": 3,
	"milestone": 4, "m": 4,
	"rc": 5, "cr": 5, "c": 5, "pre": 5, "preview": 5,
}

// versionKey returns the key of version v under s.
func versionKey(s Scheme, v string) string {
	switch s {
	case Git:
		return strings.ToLower(strings.TrimSpace(v))
	case Semver:
		if k, ok := semverKey(v); ok {
			return k
		}
	}
	return genericKey(v, false)
}

// boundKey returns the key of an upper bound, which may end in "*" (CVE
// 5: an arbitrarily large number there, so "1.*" is above every 1.x).
func boundKey(s Scheme, v string) string {
	if p, ok := strings.CutSuffix(v, "*"); ok && s != Git {
		return genericKey(p, true)
	}
	return versionKey(s, v)
}

// token is one token of a generic version.
type token struct {
	tag  byte
	rank byte   // tagPre
	text string // tagPre, tagWord: the letters; tagNum: the digits without leading zeros
}

// genericTokens splits v into tokens (without the end token). above says
// v was followed by "*".
func genericTokens(v string) (epoch string, toks []token) {
	v = strings.ToLower(strings.TrimSpace(v))
	epoch = "0"
	if i := strings.IndexByte(v, ':'); i > 0 && allDigits(v[:i]) {
		epoch, v = v[:i], v[i+1:]
	}
	if len(v) > 1 && v[0] == 'v' && isDigit(v[1]) {
		v = v[1:]
	}
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case isDigit(c):
			j := i
			for j < len(v) && isDigit(v[j]) {
				j++
			}
			toks = append(toks, token{tag: tagNum, text: v[i:j]})
			i = j
		case isLetter(c):
			j := i
			for j < len(v) && isLetter(v[j]) {
				j++
			}
			w := v[i:j]
			r, pre := preRanks[w]
			if pre && len(w) == 1 && (j == len(v) || !isDigit(v[j])) {
				pre = false // "1.0.2a" is a patch letter; "1.0a1" an alpha
			}
			if pre {
				toks = append(toks, token{tag: tagPre, rank: r, text: w})
			} else {
				toks = append(toks, token{tag: tagWord, text: w})
			}
			i = j
		case c == '~':
			toks = append(toks, token{tag: tagPre, rank: 0})
			i++
		default: // ".", "-", "_", "+" and any other separator
			i++
		}
	}
	return epoch, toks
}

// genericKey returns the Generic key of v; above says v is an upper
// bound that ended in "*".
func genericKey(v string, above bool) string {
	epoch, toks := genericTokens(v)
	var b strings.Builder
	b.Grow(len(v) + 8)
	appendNum(&b, epoch)
	for i, t := range toks {
		if t.tag == tagNum && isZero(t.text) && !above && zerosToEnd(toks[i:]) {
			continue
		}
		switch t.tag {
		case tagNum:
			appendNum(&b, t.text)
		case tagPre:
			b.WriteByte(tagPre)
			b.WriteByte(t.rank)
			b.WriteString(t.text)
			b.WriteByte(0)
		case tagWord:
			b.WriteByte(tagWord)
			b.WriteString(t.text)
			b.WriteByte(0)
		}
	}
	if above {
		b.WriteByte(tagAbove)
	} else {
		b.WriteByte(tagEnd)
	}
	return b.String()
}

// zerosToEnd reports whether toks starts with zero numbers that run up to
// the end or to a pre-release token.
func zerosToEnd(toks []token) bool {
	for _, t := range toks {
		switch {
		case t.tag == tagNum && isZero(t.text):
		case t.tag == tagPre:
			return true
		default:
			return false
		}
	}
	return true
}

// appendNum writes a number token: tag, length and digits without leading
// zeros (at most 255 of them).
func appendNum(b *strings.Builder, digits string) {
	digits = strings.TrimLeft(digits, "0")
	if len(digits) > 255 {
		digits = digits[:255]
	}
	b.WriteByte(tagNum)
	b.WriteByte(byte(len(digits)))
	b.WriteString(digits)
}

// semverKey returns the Semver key of v and whether v is semver
// (major[.minor[.patch]][-pre][+build], optional leading "v", numbers
// without leading zeros). The core is encoded as Generic numbers (zeros
// before the end dropped, as Generic does), then 0x00 and the
// pre-release identifiers (numeric 0x01 len digits, alphanumeric 0x02 text
// 0x00, end 0x00) for a pre-release, or 0x01 for a release.
func semverKey(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if len(v) > 1 && (v[0] == 'v' || v[0] == 'V') && isDigit(v[1]) {
		v = v[1:]
	}
	if i := strings.IndexByte(v, '+'); i >= 0 {
		if !validIdents(v[i+1:], false) {
			return "", false
		}
		v = v[:i]
	}
	core, pre, hasPre := strings.Cut(v, "-")
	nums := strings.Split(core, ".")
	if len(nums) > 3 {
		return "", false
	}
	for _, n := range nums {
		if n == "" || !allDigits(n) || (len(n) > 1 && n[0] == '0') {
			return "", false
		}
	}
	if hasPre && !validIdents(pre, true) {
		return "", false
	}
	for len(nums) < 3 {
		nums = append(nums, "0")
	}
	for len(nums) > 0 && isZero(nums[len(nums)-1]) {
		nums = nums[:len(nums)-1]
	}
	var b strings.Builder
	appendNum(&b, "0") // the epoch, as in Generic keys
	for _, n := range nums {
		appendNum(&b, n)
	}
	if !hasPre {
		b.WriteByte(0x01)
		return b.String(), true
	}
	b.WriteByte(0x00)
	for id := range strings.SplitSeq(pre, ".") {
		if allDigits(id) {
			id = strings.TrimLeft(id, "0")
			if len(id) > 255 {
				id = id[:255]
			}
			b.WriteByte(0x01)
			b.WriteByte(byte(len(id)))
			b.WriteString(id)
		} else {
			b.WriteByte(0x02)
			b.WriteString(id)
			b.WriteByte(0)
		}
	}
	b.WriteByte(0x00)
	return b.String(), true
}

// validIdents reports whether s is dot-separated semver identifiers
// ([0-9A-Za-z-]+); numeric says numeric ones must not have leading zeros
// (pre-release, not build).
func validIdents(s string, numeric bool) bool {
	if s == "" {
		return false
	}
	for id := range strings.SplitSeq(s, ".") {
		if id == "" {
			return false
		}
		for i := 0; i < len(id); i++ {
			c := id[i]
			if !isDigit(c) && !isLetter(c) && !('A' <= c && c <= 'Z') && c != '-' {
				return false
			}
		}
		if numeric && allDigits(id) && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isZero(digits string) bool { return strings.TrimLeft(digits, "0") == "" }
