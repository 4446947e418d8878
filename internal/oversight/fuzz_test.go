package oversight

import (
	"bytes"
	"flag"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/fuzzseed"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/direction"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz")

// fuzzNow is the clock of the fuzz targets: before fuzzCriteria's window.
var fuzzNow = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// fuzzCriteria is the criteria file the fuzz targets file and narrow: the
// format's documented example.
const fuzzCriteria = `{
  "schema": "acd.selection.criteria/v1",
  "id": "crit-2026-0042",
  "version": 3,
  "authority": "APR-2026-0042",
  "directions": ["foreign-foreign", "foreign-domestic", "domestic-foreign"],
  "valid_from": "2026-11-01T00:00:00Z",
  "valid_until": "2026-12-01T00:00:00Z",
  "rules": [
    {"id": "c2-servers", "addresses": ["203.0.113.0/24", "2001:db8:bad::/48", "198.51.100.7"], "ports": ["tcp/443", "tcp/8000-8100", "udp/53", "icmp"]},
    {"id": "phish-domains", "domains": {"exact": ["login-example.test"], "suffix": ["evil.example"]}},
    {"id": "webshell", "commands": ["POST /A3fe", "cmd.exe"], "ports": ["tcp/80"]}
  ]
}
`

// fuzzSeeds are the seed corpora, by target and seed name, written to
// testdata/fuzz by go test -run TestFuzzSeeds -update-seeds.
var fuzzSeeds = map[string]map[string]string{
	"FuzzNarrow": {
		// Every kind of narrowing at once, as the documentation shows.
		"all-parts": `{"valid_from":"2026-11-02T00:00:00Z","valid_until":"2026-11-20T12:30:00.5Z","remove_directions":["foreign-foreign"],"remove_rules":["webshell"],"remove_matchers":[{"rule":"c2-servers","addresses":["198.51.100.7/32"],"ports":["icmp"]},{"rule":"phish-domains","domains":["EVIL.example."]}]}`,
		// A window that would widen: refused.
		"widen-window": `{"valid_from":"2026-10-01T00:00:00Z"}`,
		// Removing the last command: the rule would widen, refused.
		"empty-condition": `{"remove_matchers":[{"rule":"webshell","commands":["POST /A3fe","cmd.exe"]}]}`,
		// Nothing: refused.
		"empty": `{}`,
		// An unknown member: refused by strict decoding.
		"unknown-member": `{"remove_rule":["webshell"]}`,
		// Every rule: refused.
		"every-rule": `{"remove_rules":["webshell","c2-servers","phish-domains"]}`,
	},
	"FuzzAcquisitionInput": {
		// A valid chapter 6 request over the criteria's inbound and outbound directions.
		"ch6": `{"chapter":"ch6","target":{"addresses":["203.0.113.0/24","198.51.100.10-198.51.100.20"],"asns":[64500]},"suspicion":"C2","other_means":"abroad","directions":["domestic-foreign","foreign-domestic","foreign-foreign"],"criteria":` + fmt.Sprintf("%q", fuzzCriteria) + `}`,
		// Chapter 4 asking for inbound traffic: refused.
		"ch4-inbound": `{"chapter":"ch4","target":{"facilities":["cable 2"]},"suspicion":"s","other_means":"o","directions":["foreign-domestic"],"criteria":"{}"}`,
		// Domestic-domestic: refused.
		"domestic": `{"chapter":"ch6","target":{"asns":[1]},"suspicion":"s","other_means":"o","directions":["domestic-domestic"],"criteria":"{}"}`,
		// A period differing from the file's window: refused.
		"period": `{"chapter":"ch6","target":{"addresses":["::1"]},"suspicion":"s","other_means":"o","directions":["foreign-domestic","domestic-foreign","foreign-foreign"],"valid_from":"2026-11-01T00:00:01Z","criteria":` + fmt.Sprintf("%q", fuzzCriteria) + `}`,
		// A wrong type: refused by strict decoding.
		"wrong-type": `{"chapter":6}`,
	},
	"FuzzMotionInput": {
		// A motion to approve narrowed by one rule.
		"narrowed": `{"kind":"approve_narrowed","statement":"inbound only","narrowing":{"remove_directions":["foreign-foreign","domestic-foreign"]}}`,
		// A refusal with two categories.
		"refuse": `{"kind":"refuse","reasons":[{"category":"scope","text":"too wide"},{"category":"necessity_proportionality","text":"not shown"}]}`,
		// A refusal without reasons: refused.
		"refuse-bare": `{"kind":"refuse"}`,
		// Approve as filed.
		"approve": `{"kind":"approve"}`,
	},
}

func TestFuzzSeeds(t *testing.T) { fuzzseed.Check(t, fuzzSeeds, *updateSeeds) }

// decodeBody decodes b as the API does: strict JSON into v.
func decodeBody(b []byte, v any) error {
	r := httptest.NewRequest("POST", "/", bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	return api.DecodeLimit(r, v, 1<<20)
}

// FuzzNarrow: a narrowing either is refused or gives a valid set that only
// shrinks the original: a later start and earlier end, fewer directions and
// rules, and each rule's conditions subsets of its original ones, none
// dropped.
func FuzzNarrow(f *testing.F) {
	for _, s := range fuzzSeeds["FuzzNarrow"] {
		f.Add([]byte(s))
	}
	orig, err := criteria.Parse([]byte(fuzzCriteria))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var n Narrowing
		if decodeBody(b, &n) != nil {
			return
		}
		out, set, err := Narrow([]byte(fuzzCriteria), n)
		if err != nil {
			return
		}
		again, err := criteria.Parse(out)
		if err != nil {
			t.Fatalf("narrowed file does not parse: %v\n%s", err, out)
		}
		if again.SHA256 != set.SHA256 || set.ID != orig.ID || set.Version != orig.Version+1 || set.Authority != orig.Authority {
			t.Fatalf("narrowed set %s v%d", set.ID, set.Version)
		}
		if set.ValidFrom.Before(orig.ValidFrom) || set.ValidUntil.After(orig.ValidUntil) {
			t.Fatalf("window widened: %s..%s", set.ValidFrom, set.ValidUntil)
		}
		if set.DirectionSet()&^orig.DirectionSet() != 0 {
			t.Fatalf("directions widened: %s", set.DirectionSet())
		}
		for _, r := range set.Rules {
			i := slices.IndexFunc(orig.Rules, func(o criteria.Rule) bool { return o.ID == r.ID })
			if i < 0 {
				t.Fatalf("new rule %s", r.ID)
			}
			o := orig.Rules[i]
			if !subset(r.Addresses, o.Addresses) || !subset(r.Ports, o.Ports) || !subset(r.Commands, o.Commands) ||
				!subset(r.Domains.Exact, o.Domains.Exact) || !subset(r.Domains.Suffix, o.Domains.Suffix) {
				t.Fatalf("rule %s widened: %+v from %+v", r.ID, r, o)
			}
			if (len(r.Addresses) == 0) != (len(o.Addresses) == 0) || (len(r.Ports) == 0) != (len(o.Ports) == 0) ||
				(len(r.Commands) == 0) != (len(o.Commands) == 0) || (r.Domains.Len() == 0) != (o.Domains.Len() == 0) {
				t.Fatalf("rule %s lost a condition: %+v from %+v", r.ID, r, o)
			}
		}
	})
}

func subset[T comparable](a, b []T) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// FuzzAcquisitionInput: a request body is refused or gives a request whose
// chapter, directions, period and criteria agree.
func FuzzAcquisitionInput(f *testing.F) {
	for _, s := range fuzzSeeds["FuzzAcquisitionInput"] {
		f.Add([]byte(s))
	}
	s := &Service{cfg: Config{MaxCriteria: 1 << 20, Now: func() time.Time { return fuzzNow }}}
	f.Fuzz(func(t *testing.T, b []byte) {
		var in AcquisitionInput
		if decodeBody(b, &in) != nil {
			return
		}
		_, set, err := s.checkAcquisition(&in)
		if err != nil {
			return
		}
		dirs, err := parseDirections("directions", in.Directions)
		if err != nil {
			t.Fatalf("accepted directions %v: %v", in.Directions, err)
		}
		if dirs.Has(direction.DomesticDomestic) || checkChapterDirections("", string(in.Chapter), dirs) != nil {
			t.Fatalf("chapter %s with %s", in.Chapter, dirs)
		}
		if set.DirectionSet()&^dirs != 0 {
			t.Fatalf("set selects %s outside %s", set.DirectionSet(), dirs)
		}
		if !in.ValidFrom.Equal(set.ValidFrom) || !in.ValidUntil.Equal(set.ValidUntil) {
			t.Fatalf("period %s..%s, set %s..%s", in.ValidFrom, in.ValidUntil, set.ValidFrom, set.ValidUntil)
		}
		for _, a := range in.Target.Addresses {
			if again, err := ParseAddressRange(a); err != nil || again != a {
				t.Fatalf("address %q is not canonical: %q %v", a, again, err)
			}
		}
	})
}

// FuzzMotionInput: a motion body is refused or valid for its kind; a
// narrowed motion's file parses.
func FuzzMotionInput(f *testing.F) {
	for _, s := range fuzzSeeds["FuzzMotionInput"] {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var in MotionInput
		if decodeBody(b, &in) != nil {
			return
		}
		narrowed, err := checkMotion(&in, []byte(fuzzCriteria))
		if err != nil {
			return
		}
		switch in.Kind {
		case MotionApproveNarrowed:
			if _, err := criteria.Parse(narrowed); err != nil {
				t.Fatalf("narrowed file: %v", err)
			}
		case MotionRefuse:
			if len(in.Reasons) == 0 || narrowed != nil {
				t.Fatalf("refusal without reasons or with a file")
			}
		case MotionApprove:
			if narrowed != nil || len(in.Reasons) > 0 {
				t.Fatalf("approval with reasons or a file")
			}
		default:
			t.Fatalf("kind %q accepted", in.Kind)
		}
	})
}
