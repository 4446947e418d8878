package sharing

import (
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/textfield"
	"github.com/acd-platform/acd/internal/tlp"
)

// Limits on an advisory's input, so that a hostile body cannot exhaust
// memory or make every read slow.
const (
	maxText       = 20000 // characters of a free-text field
	maxIndicators = 500
	maxTechniques = 100
	maxRecipients = 500 // of each kind
	maxID         = 100 // bytes of an id
	maxPattern    = 4096
)

var (
	techniqueRE = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)
	idRE        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]*$`)
	hashLen     = map[string]int{IndicatorMD5: 32, IndicatorSHA1: 40, IndicatorSHA256: 64}
)

// Normalize checks an advisory's input and puts it in canonical form:
// text trimmed, the TLP level in lower case, indicator values and
// technique ids canonical, recipients without duplicates. It checks form
// only; whether the clearance is on the scale and the recipients are
// council members is the Service's to check. A draft needs only a title
// (see Complete). Normalize is idempotent.
func (in *AdvisoryInput) Normalize() error {
	in.Title = strings.TrimSpace(in.Title)
	if err := textfield.CheckLine("title", in.Title, true); err != nil {
		return err
	}
	level, err := tlp.ParseLevel(string(in.TLP))
	if err != nil {
		return fieldErrorf("tlp", "%q: want clear, green, amber, amber+strict or red", textfield.Cut(string(in.TLP), 40))
	}
	in.TLP = level
	in.Clearance = strings.TrimSpace(in.Clearance)
	if len(in.Clearance) > 40 || strings.ToLower(in.Clearance) != in.Clearance || strings.ContainsAny(in.Clearance, " ,\t\r\n") {
		return fieldErrorf("clearance", "%q: want a lower-case word of the clearance scale", textfield.Cut(in.Clearance, 40))
	}
	if err := in.Recipients.normalize("recipients"); err != nil {
		return err
	}
	if err := in.Technical.normalize("technical"); err != nil {
		return err
	}
	return in.Executive.normalize("executive")
}

// Complete reports, as a *Refusal with code advisory_incomplete naming the
// first missing field, whether both parts are written: the technical
// summary and the threat-hunting guidance, and the whole executive part.
// A draft is submitted for review and published only when complete.
func (in AdvisoryInput) Complete() error {
	for _, f := range []struct{ name, v string }{
		{"technical.summary", in.Technical.Summary}, {"technical.hunting", in.Technical.Hunting},
		{"executive.background", in.Executive.Background}, {"executive.purpose", in.Executive.Purpose},
		{"executive.impact", in.Executive.Impact}, {"executive.actions", in.Executive.Actions},
	} {
		if f.v == "" {
			return refuse(CodeIncomplete, f.name+" is empty")
		}
	}
	return nil
}

func (r *Recipients) normalize(field string) error {
	for _, l := range []struct {
		name string
		ids  *[]string
	}{{"orgs", &r.Orgs}, {"groups", &r.Groups}, {"users", &r.Users}} {
		if len(*l.ids) > maxRecipients {
			return fieldErrorf(field+"."+l.name, "%d entries, at most %d", len(*l.ids), maxRecipients)
		}
		var out []string
		for i, id := range *l.ids {
			id = strings.TrimSpace(id)
			if len(id) > maxID || !idRE.MatchString(id) {
				return fieldErrorf(fmt.Sprintf("%s.%s[%d]", field, l.name, i), "%q is not an id", textfield.Cut(id, 40))
			}
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		*l.ids = out
	}
	return nil
}

func (t *Technical) normalize(field string) error {
	t.Summary, t.Hunting = strings.TrimSpace(t.Summary), strings.TrimSpace(t.Hunting)
	if err := textfield.Check(field+".summary", t.Summary, maxText, false); err != nil {
		return err
	}
	if err := textfield.Check(field+".hunting", t.Hunting, maxText, false); err != nil {
		return err
	}
	vs, err := normalizeVulnerabilities(field+".vulnerabilities", t.Vulnerabilities)
	if err != nil {
		return err
	}
	t.Vulnerabilities = vs
	if len(t.Indicators) == 0 {
		t.Indicators = nil
	}
	if len(t.Techniques) == 0 {
		t.Techniques = nil
	}
	if len(t.Indicators) > maxIndicators {
		return fieldErrorf(field+".indicators", "%d entries, at most %d", len(t.Indicators), maxIndicators)
	}
	for i := range t.Indicators {
		if err := t.Indicators[i].normalize(fmt.Sprintf("%s.indicators[%d]", field, i)); err != nil {
			return err
		}
	}
	if len(t.Techniques) > maxTechniques {
		return fieldErrorf(field+".techniques", "%d entries, at most %d", len(t.Techniques), maxTechniques)
	}
	var seen []string
	for i := range t.Techniques {
		tq := &t.Techniques[i]
		f := fmt.Sprintf("%s.techniques[%d]", field, i)
		tq.ID, tq.Name = strings.ToUpper(strings.TrimSpace(tq.ID)), strings.TrimSpace(tq.Name)
		if !techniqueRE.MatchString(tq.ID) {
			return fieldErrorf(f+".id", "%q is not an ATT&CK technique id (T1234 or T1234.001)", textfield.Cut(tq.ID, 40))
		}
		if slices.Contains(seen, tq.ID) {
			return fieldErrorf(f+".id", "%s is listed twice", tq.ID)
		}
		seen = append(seen, tq.ID)
		if err := textfield.CheckLine(f+".name", tq.Name, false); err != nil {
			return err
		}
	}
	return nil
}

func (e *Executive) normalize(field string) error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"background", &e.Background}, {"purpose", &e.Purpose}, {"impact", &e.Impact}, {"actions", &e.Actions}} {
		*f.v = strings.TrimSpace(*f.v)
		if err := textfield.Check(field+"."+f.name, *f.v, maxText, false); err != nil {
			return err
		}
	}
	return nil
}

// normalize checks an indicator and puts its value in canonical form.
func (in *Indicator) normalize(field string) error {
	in.Type = strings.ToLower(strings.TrimSpace(in.Type))
	in.Value, in.Pattern, in.Description = strings.TrimSpace(in.Value), strings.TrimSpace(in.Pattern), strings.TrimSpace(in.Description)
	if err := textfield.Check(field+".description", in.Description, maxText, false); err != nil {
		return err
	}
	if in.Type == IndicatorPattern {
		if in.Value != "" {
			return fieldErrorf(field+".value", "a stix indicator has a pattern, not a value")
		}
		if in.Pattern == "" {
			return fieldErrorf(field+".pattern", "required")
		}
		if len(in.Pattern) > maxPattern {
			return fieldErrorf(field+".pattern", "longer than %d bytes", maxPattern)
		}
		p, err := stix.ParsePattern(in.Pattern)
		if err != nil {
			return fieldErrorf(field+".pattern", "%v", err)
		}
		in.Pattern = p.String()
		return nil
	}
	if in.Pattern != "" {
		return fieldErrorf(field+".pattern", "only an indicator of type stix has a pattern")
	}
	if in.Value == "" {
		return fieldErrorf(field+".value", "required")
	}
	if len(in.Value) > 2048 {
		return fieldErrorf(field+".value", "longer than 2048 bytes")
	}
	v, err := canonicalValue(in.Type, in.Value)
	if err != nil {
		if in.Type == "" {
			return fieldErrorf(field+".type", "required")
		}
		return fieldErrorf(field+"."+err.field, "%s", err.msg)
	}
	in.Value = v
	return nil
}

type valueError struct{ field, msg string }

// canonicalValue checks value as an indicator of type typ and returns its
// canonical form.
func canonicalValue(typ, value string) (string, *valueError) {
	bad := func(want string) *valueError {
		return &valueError{"value", fmt.Sprintf("%q is not %s", textfield.Cut(value, 80), want)}
	}
	switch typ {
	case IndicatorIPv4, IndicatorIPv6:
		var a netip.Addr
		if pfx, err := netip.ParsePrefix(value); err == nil {
			a, value = pfx.Addr(), pfx.Masked().String()
		} else if a, err = netip.ParseAddr(value); err == nil {
			value = a.String()
		} else {
			return "", bad("an IP address or CIDR prefix")
		}
		if a.Zone() != "" || (typ == IndicatorIPv4) != a.Is4() {
			return "", bad("an address of type " + typ)
		}
		return value, nil
	case IndicatorDomain:
		d := strings.ToLower(strings.TrimSuffix(value, "."))
		if !validDomain(d) {
			return "", bad("a domain name")
		}
		return d, nil
	case IndicatorURL:
		u, err := url.Parse(value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ftp") || u.Host == "" || strings.ContainsAny(value, " \t\r\n") {
			return "", bad("an absolute http, https or ftp URL")
		}
		return value, nil
	case IndicatorMD5, IndicatorSHA1, IndicatorSHA256:
		v := strings.ToLower(value)
		if len(v) != hashLen[typ] || strings.Trim(v, "0123456789abcdef") != "" {
			return "", bad(fmt.Sprintf("%d hexadecimal digits", hashLen[typ]))
		}
		return v, nil
	case IndicatorEmail:
		a, err := mail.ParseAddress(value)
		if err != nil || a.Name != "" || a.Address != value {
			return "", bad("an e-mail address")
		}
		return a.Address, nil
	}
	return "", &valueError{"type", fmt.Sprintf("%q: want ipv4, ipv6, domain, url, md5, sha1, sha256, email or stix", textfield.Cut(typ, 40))}
}

// validDomain checks host-name syntax: letters, digits, hyphens and
// underscores (as some malware uses them), labels of 1–63 bytes, at least
// two labels.
func validDomain(d string) bool {
	if len(d) == 0 || len(d) > 253 {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
