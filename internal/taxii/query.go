package taxii

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/stix"
)

// Endpoint names what a page lists: objects, manifest entries, the versions
// of one object as objects, or the version timestamps of one object.
type Endpoint string

// The endpoints of a collection that page.
const (
	EndpointObjects  Endpoint = "objects"  // GET …/objects/
	EndpointManifest Endpoint = "manifest" // GET …/manifest/
	EndpointObject   Endpoint = "object"   // GET …/objects/{object_id}/
	EndpointVersions Endpoint = "versions" // GET …/objects/{object_id}/versions/
)

// params lists the query parameters each endpoint takes (TAXII 2.1 §3.4).
var params = map[Endpoint][]string{
	EndpointObjects:  {"added_after", "limit", "next", "match[id]", "match[type]", "match[version]", "match[spec_version]"},
	EndpointManifest: {"added_after", "limit", "next", "match[id]", "match[type]", "match[version]", "match[spec_version]"},
	EndpointObject:   {"added_after", "limit", "next", "match[version]", "match[spec_version]"},
	EndpointVersions: {"added_after", "limit", "next", "match[spec_version]"},
}

// Limits on a query, so that a hostile one cannot make a page expensive.
const (
	// MaxMatchValues is the most values one match[…] parameter may list.
	MaxMatchValues = 100
	// maxNext bounds a next token's length.
	maxNext = 256
)

// Query is the filters and paging of a request. The zero Query asks for the
// first page of the latest version of every object.
type Query struct {
	// AddedAfter keeps objects added strictly after it; zero for all.
	AddedAfter time.Time
	// Limit is the page size; 0 for the server's default, and never more
	// than its maximum.
	Limit int
	// Next is the token of the previous page, "" for the first.
	Next string
	// IDs and Types keep objects with one of these ids or types; empty for
	// all.
	IDs, Types []string
	// Versions keeps the versions named: "last" (the default), "first",
	// "all" or version timestamps. A version is an object's modified time,
	// else its created time, else its date_added.
	Versions []string
	// SpecVersions keeps objects of these STIX versions ("2.1"); empty for
	// all.
	SpecVersions []string
}

// ParseQuery reads the query parameters of a request to endpoint e. Lists
// are comma-separated (a parameter may also be repeated); unknown
// parameters, and those e does not take, are errors naming the parameter.
func ParseQuery(e Endpoint, v url.Values) (Query, error) {
	allowed, ok := params[e]
	if !ok {
		return Query{}, fmt.Errorf("parse query: unknown endpoint %q", e)
	}
	var q Query
	for name := range v {
		if !slices.Contains(allowed, name) {
			field := name
			if field == "" {
				field = "query" // "?=x" or "?&"
			}
			return Query{}, fieldErrorf(field, "unknown query parameter %s: this endpoint takes %s", quote(name), strings.Join(allowed, ", "))
		}
	}
	list := func(name string) ([]string, error) {
		var out []string
		n := 0
		for _, s := range v[name] {
			for p := range strings.SplitSeq(s, ",") {
				if n++; n > MaxMatchValues {
					return nil, fieldErrorf(name, "more than %d values", MaxMatchValues)
				}
				p = strings.TrimSpace(p)
				if p == "" {
					return nil, fieldErrorf(name, "%s: empty value in the list", quote(s))
				}
				if !slices.Contains(out, p) {
					out = append(out, p)
				}
			}
		}
		return out, nil
	}
	single := func(name string) (string, bool, error) {
		vs := v[name]
		switch len(vs) {
		case 0:
			return "", false, nil
		case 1:
			return vs[0], true, nil
		}
		return "", false, fieldErrorf(name, "given %d times; give it once", len(vs))
	}
	if s, ok, err := single("added_after"); err != nil {
		return Query{}, err
	} else if ok {
		t, err := stix.ParseTime(s)
		if err != nil {
			return Query{}, fieldErrorf("added_after", "%v", err)
		}
		q.AddedAfter = t
	}
	if s, ok, err := single("limit"); err != nil {
		return Query{}, err
	} else if ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return Query{}, fieldErrorf("limit", "%s: want a positive integer", quote(s))
		}
		q.Limit = n
	}
	if s, ok, err := single("next"); err != nil {
		return Query{}, err
	} else if ok {
		if s == "" || len(s) > maxNext {
			return Query{}, fieldErrorf("next", "want the next value of the previous page")
		}
		q.Next = s
	}
	var err error
	if q.IDs, err = list("match[id]"); err != nil {
		return Query{}, err
	}
	for _, id := range q.IDs {
		if _, _, err := stix.ParseID(id); err != nil {
			return Query{}, fieldErrorf("match[id]", "%v", err)
		}
	}
	if q.Types, err = list("match[type]"); err != nil {
		return Query{}, err
	}
	for _, t := range q.Types {
		if !validTypeName(t) {
			return Query{}, fieldErrorf("match[type]", "%s is not a STIX type name (3 to 250 of a-z, 0-9 and single hyphens, starting with a letter)", quote(t))
		}
	}
	if q.Versions, err = list("match[version]"); err != nil {
		return Query{}, err
	}
	for i, s := range q.Versions {
		switch s {
		case "last", "first", "all":
			continue
		}
		t, err := stix.ParseTime(s)
		if err != nil {
			return Query{}, fieldErrorf("match[version]", "%s: want last, first, all or a timestamp", quote(s))
		}
		q.Versions[i] = formatTime(t)
	}
	if q.SpecVersions, err = list("match[spec_version]"); err != nil {
		return Query{}, err
	}
	for _, s := range q.SpecVersions {
		if !validSpecVersion(s) {
			return Query{}, fieldErrorf("match[spec_version]", "%s: want a STIX version such as 2.1", quote(s))
		}
	}
	return q, nil
}

// validTypeName reports whether s is a STIX type name.
func validTypeName(s string) bool {
	if len(s) < 3 || len(s) > 250 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') || c == '-' && s[i-1] == '-' {
			return false
		}
	}
	return true
}

// validSpecVersion reports whether s has the form n.m.
func validSpecVersion(s string) bool {
	a, b, ok := strings.Cut(s, ".")
	digits := func(x string) bool {
		if x == "" || len(x) > 4 {
			return false
		}
		for i := 0; i < len(x); i++ {
			if x[i] < '0' || x[i] > '9' {
				return false
			}
		}
		return true
	}
	return ok && digits(a) && digits(b)
}

// versionSelect is what match[version] asks for.
type versionSelect struct {
	all, first, last bool
	at               []string // stored-form timestamps
}

func (q Query) versionSelect(e Endpoint) versionSelect {
	if e == EndpointVersions {
		return versionSelect{all: true}
	}
	var v versionSelect
	if len(q.Versions) == 0 {
		v.last = true
	}
	for _, s := range q.Versions {
		switch s {
		case "all":
			v.all = true
		case "first":
			v.first = true
		case "last":
			v.last = true
		default:
			v.at = append(v.at, s)
		}
	}
	return v
}

// filters is the normalised form of the filters that e takes, which a next
// token is bound to: every list sorted, every time in stored form. The
// limit is not part of it: a client may change the page size as it pages.
func (q Query) filters(e Endpoint) string {
	var b strings.Builder
	add := func(name string, vs []string) {
		vs = slices.Clone(vs)
		slices.Sort(vs)
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(strings.Join(vs, ","))
		b.WriteByte('\n')
	}
	if !q.AddedAfter.IsZero() {
		b.WriteString("added_after=" + formatTime(q.AddedAfter) + "\n")
	}
	if e == EndpointObjects || e == EndpointManifest {
		add("match[id]", q.IDs)
		add("match[type]", q.Types)
	}
	if e != EndpointVersions {
		add("match[version]", q.Versions)
	}
	add("match[spec_version]", q.SpecVersions)
	return b.String()
}

// timeLayout is the stored and served form of TAXII timestamps: UTC,
// microseconds, fixed width, so that stored times sort as the times do.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// formatTime renders t as a TAXII timestamp, cut to the microsecond.
func formatTime(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(timeLayout) }

// parseStoredTime reads a time written by formatTime.
func parseStoredTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}
