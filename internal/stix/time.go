package stix

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// FormatTime formats t as a STIX timestamp: UTC, millisecond precision,
// Z (e.g. "2025-05-16T09:00:00.000Z"). Finer precision is cut off.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// ParseTime parses a STIX timestamp: RFC 3339 in UTC with an upper-case T
// and Z and any number of fractional digits, e.g. "2016-05-12T08:17:27Z"
// or "2016-05-12T08:17:27.000Z". A leap second (":60") is read as the first
// instant of the next minute.
func ParseTime(s string) (time.Time, error) {
	t, _, err := parseTime(s)
	return t, err
}

// parseTime parses a STIX timestamp and also returns how many fractional
// digits it has.
func parseTime(s string) (time.Time, int, error) {
	bad := func() (time.Time, int, error) {
		return time.Time{}, 0, fmt.Errorf("%s is not an RFC 3339 timestamp in UTC (like 2025-05-16T09:00:00.000Z)", quote(s))
	}
	// 2006-01-02T15:04:05[.frac]Z
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return bad()
	}
	num := func(a, b int) int {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, sec := num(11, 13), num(14, 16), num(17, 19)
	if year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 60 {
		return bad()
	}
	digits, nsec := 0, 0
	if rest := s[19 : len(s)-1]; rest != "" {
		if rest[0] != '.' || len(rest) == 1 || len(rest) > 1+32 {
			return bad()
		}
		frac := rest[1:]
		for i := 0; i < len(frac); i++ {
			if frac[i] < '0' || frac[i] > '9' {
				return bad()
			}
		}
		digits = len(frac)
		if len(frac) > 9 {
			frac = frac[:9] // beyond nanoseconds: cut, as time.Parse does
		}
		n, _ := strconv.Atoi(frac)
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		nsec = n
	}
	if time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).Day() != day {
		return bad() // e.g. February 30
	}
	// time.Date carries second 60 into the next minute.
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Year() > 9999 {
		return bad() // a leap second at the end of 9999
	}
	return t, digits, nil
}

// Timestamp is a STIX timestamp property. It encodes as [FormatTime] does
// when the time is a whole number of milliseconds and with as many digits
// as needed otherwise, so no precision is lost; it decodes with
// [ParseTime]. The zero Timestamp is left out by `omitzero`.
type Timestamp struct {
	time.Time
}

// TS returns t as a Timestamp in UTC.
func TS(t time.Time) Timestamp { return Timestamp{t.UTC()} }

// String returns the timestamp as it is encoded.
func (t Timestamp) String() string {
	u := t.Time.UTC()
	if u.Nanosecond()%1e6 == 0 {
		return FormatTime(u)
	}
	s := u.Format("2006-01-02T15:04:05.000000000")
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return s + "Z"
}

// MarshalJSON encodes t as a JSON string.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if y := t.Time.UTC().Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("timestamp: year %d outside 0000-9999", y)
	}
	return []byte(`"` + t.String() + `"`), nil
}

// UnmarshalJSON decodes a JSON string with [ParseTime].
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: want a string, have %.40s", b)
	}
	tt, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = tt
	return nil
}
