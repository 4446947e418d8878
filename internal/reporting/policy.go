package reporting

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/sector"
)

// Policy sets how long after becoming aware of an incident an operator has
// to file each stage (§5). The ordinance sets the real periods; the
// defaults are quick 24 h, full 72 h, final 30 days. Sectors may have their
// own periods.
type Policy struct {
	Quick Period `json:"quick"`
	Full  Period `json:"full"`
	Final Period `json:"final"`
	// Sectors overrides the periods of some sectors (by sector code); a
	// zero period falls back to the default above.
	Sectors map[string]SectorPolicy `json:"sectors,omitempty"`
}

// SectorPolicy is one sector's periods.
type SectorPolicy struct {
	Quick Period `json:"quick,omitzero"`
	Full  Period `json:"full,omitzero"`
	Final Period `json:"final,omitzero"`
}

// DefaultPolicy returns the default periods.
func DefaultPolicy() Policy {
	return Policy{Quick: Period(24 * time.Hour), Full: Period(72 * time.Hour), Final: Period(30 * 24 * time.Hour)}
}

// Period is a duration written in JSON as Go does ("24h", "90m") or in days
// ("30d").
type Period time.Duration

// MarshalText writes days when whole, else a Go duration.
func (p Period) MarshalText() ([]byte, error) {
	d := time.Duration(p)
	if d > 0 && d%(24*time.Hour) == 0 {
		return []byte(strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"), nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads "30d" or a Go duration.
func (p *Period) UnmarshalText(b []byte) error {
	s := string(b)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 3650 {
			return fmt.Errorf("period %q: want whole days like \"30d\"", s)
		}
		*p = Period(time.Duration(days) * 24 * time.Hour)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("period %q: want a duration like \"24h\" or days like \"30d\"", s)
	}
	*p = Period(d)
	return nil
}

// LoadPolicy reads a policy file (JSON), filling unset periods with the
// defaults.
func LoadPolicy(path string) (Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Policy{}, fmt.Errorf("read report policy: %w", err)
	}
	return ParsePolicy(b)
}

// ParsePolicy parses a policy file's bytes; see LoadPolicy.
func ParsePolicy(b []byte) (Policy, error) {
	var p Policy
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Policy{}, fmt.Errorf("parse report policy: %w", err)
	}
	def := DefaultPolicy()
	if p.Quick == 0 {
		p.Quick = def.Quick
	}
	if p.Full == 0 {
		p.Full = def.Full
	}
	if p.Final == 0 {
		p.Final = def.Final
	}
	for code := range p.Sectors {
		if !sector.Valid(code) {
			return Policy{}, fmt.Errorf("parse report policy: sectors: unknown sector %q", code)
		}
	}
	for _, code := range append([]string{""}, sector.Codes()...) {
		q, f, fin := p.periods(code)
		if !(q <= f && f <= fin) {
			return Policy{}, fmt.Errorf("parse report policy: sector %q: periods must not decrease (quick %v, full %v, final %v)", code, q, f, fin)
		}
	}
	return p, nil
}

// periods returns the periods for a sector.
func (p Policy) periods(sectorCode string) (quick, full, final time.Duration) {
	quick, full, final = time.Duration(p.Quick), time.Duration(p.Full), time.Duration(p.Final)
	if sp, ok := p.Sectors[sectorCode]; ok {
		if sp.Quick != 0 {
			quick = time.Duration(sp.Quick)
		}
		if sp.Full != 0 {
			full = time.Duration(sp.Full)
		}
		if sp.Final != 0 {
			final = time.Duration(sp.Final)
		}
	}
	return quick, full, final
}

// Dues are the deadlines of one report.
type Dues struct {
	Quick time.Time `json:"quick"`
	Full  time.Time `json:"full"`
	Final time.Time `json:"final"`
}

// Dues computes the deadlines of a report of sectorCode whose operator
// became aware at aware.
func (p Policy) Dues(sectorCode string, aware time.Time) Dues {
	q, f, fin := p.periods(sectorCode)
	aware = aware.UTC()
	return Dues{Quick: aware.Add(q), Full: aware.Add(f), Final: aware.Add(fin)}
}
