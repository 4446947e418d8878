package oversight_test

import (
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/oversight"
)

// TestFilingInput: bad requests are refused with the field at fault, and
// chapter and directions must agree.
func TestFilingInput(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		from, until := period()
		for _, c := range []struct {
			name  string
			in    func() oversight.AcquisitionInput
			field string
		}{
			{"unknown chapter", func() oversight.AcquisitionInput { in := ch6(); in.Chapter = "ch5"; return in }, "chapter"},
			{"ch4 without a facility", func() oversight.AcquisitionInput { in := ch4(); in.Target.Facilities = nil; return in }, "target.facilities"},
			{"ch6 without equipment", func() oversight.AcquisitionInput {
				in := ch6()
				in.Target = oversight.Target{Facilities: []string{"x"}}
				return in
			}, "target"},
			{"bad address", func() oversight.AcquisitionInput {
				in := ch6()
				in.Target.Addresses = []string{"203.0.113.1/24"}
				return in
			}, "target.addresses[0]"},
			{"backwards range", func() oversight.AcquisitionInput {
				in := ch6()
				in.Target.Addresses = []string{"198.51.100.20-198.51.100.10"}
				return in
			}, "target.addresses[0]"},
			{"reserved ASN", func() oversight.AcquisitionInput { in := ch6(); in.Target.ASNs = []uint32{0}; return in }, "target.asns[0]"},
			{"no suspicion", func() oversight.AcquisitionInput { in := ch6(); in.Suspicion = ""; return in }, "suspicion"},
			{"no other means", func() oversight.AcquisitionInput { in := ch6(); in.OtherMeans = "\t"; return in }, "other_means"},
			{"control character", func() oversight.AcquisitionInput { in := ch6(); in.Suspicion = "a\x00b"; return in }, "suspicion"},
			{"no directions", func() oversight.AcquisitionInput { in := ch6(); in.Directions = nil; return in }, "directions"},
			{"domestic-domestic", func() oversight.AcquisitionInput {
				in := ch6()
				in.Directions = []string{"foreign-domestic", "domestic-domestic"}
				return in
			}, "directions[1]"},
			{"ch4 asks for inbound", func() oversight.AcquisitionInput {
				in := ch4()
				in.Directions = []string{"foreign-foreign", "foreign-domestic"}
				return in
			}, "directions"},
			{"ch6 asks for transit", func() oversight.AcquisitionInput {
				in := ch6()
				in.Directions = []string{"foreign-foreign"}
				return in
			}, "directions"},
			{"set selects a direction not asked for", func() oversight.AcquisitionInput {
				in := ch6()
				in.Directions = []string{"foreign-domestic"}
				return in
			}, "criteria"},
			{"criteria do not parse", func() oversight.AcquisitionInput { in := ch6(); in.Criteria = `{"schema":1}`; return in }, "criteria"},
			{"period differs", func() oversight.AcquisitionInput { in := ch6(); in.ValidUntil = until.Add(time.Hour); return in }, "valid_until"},
			{"period ended", func() oversight.AcquisitionInput {
				in := ch6()
				in.Criteria = critFile("c", 1, t0.Add(-72*time.Hour), t0, "foreign-domestic")
				return in
			}, "valid_until"},
		} {
			_, err := e.svc.FileAcquisition(e.ctx, e.analyst, c.in())
			wantField(t, c.name, err, c.field)
		}
		// The period may be given, equal to the file's window; a subset of
		// the directions asked for is fine.
		in := ch6()
		in.ValidFrom, in.ValidUntil = from, until
		in.Criteria = critFile("c", 1, from, until, "foreign-domestic")
		a, err := e.svc.FileAcquisition(e.ctx, e.analyst, in)
		if err != nil || len(a.Directions) != 2 {
			t.Errorf("file with the period given: %v %+v", err, a)
		}
		crit, err := e.svc.AcquisitionCriteria(e.ctx, e.m1, a.ID)
		if err != nil || string(crit) != in.Criteria {
			t.Errorf("filed criteria are not the bytes given (%v)", err)
		}
		_, err = e.svc.FileAcquisition(e.ctx, e.opUserA, ch6())
		wantErr(t, "an operator files", err, oversight.ErrForbidden)
		if list, _ := e.svc.Acquisitions(e.ctx, e.m2, oversight.AcquisitionFilter{Chapter: oversight.ChapterForeign}); len(list) != 1 {
			t.Errorf("list: %d, want 1", len(list))
		}
		if list, _ := e.svc.Acquisitions(e.ctx, e.opUserA, oversight.AcquisitionFilter{}); len(list) != 0 {
			t.Errorf("an operator lists %d requests", len(list))
		}
	})
}

// TestParseAddressRange: target addresses in their canonical form.
func TestParseAddressRange(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"198.51.100.7", "198.51.100.7"},
		{"203.0.113.0/24", "203.0.113.0/24"},
		{"2001:DB8::1", "2001:db8::1"},
		{"198.51.100.10-198.51.100.20", "198.51.100.10-198.51.100.20"},
		{"2001:db8::1-2001:db8::ff", "2001:db8::1-2001:db8::ff"},
		{"203.0.113.1/24", ""},      // bits after the length
		{"::ffff:1.2.3.4", ""},      // IPv4-mapped
		{"fe80::1%eth0", ""},        // zone
		{"1.2.3.4-2001:db8::1", ""}, // mixed families
		{"1.2.3.9-1.2.3.1", ""},     // backwards
		{"example.com", ""},         // not an address
		{"", ""},                    // empty
	} {
		got, err := oversight.ParseAddressRange(c.in)
		if (err != nil) != (c.want == "") || got != c.want {
			t.Errorf("ParseAddressRange(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
