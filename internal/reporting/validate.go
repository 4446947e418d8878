package reporting

import (
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/textfield"
)

// Limits on report content, so that one submission cannot exhaust memory
// or the database.
const (
	maxText       = 20000 // free-text fields
	maxList       = 1000  // indicators, timeline entries, assets, …
	maxAttachment = 64 << 10
)

var techniqueRE = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

var hashLen = map[IndicatorType]int{IndicatorMD5: 32, IndicatorSHA1: 40, IndicatorSHA256: 64}

// normalize checks c for stage and puts it in canonical form (trimmed text,
// lower-case hashes and domains, UTC times). now bounds times in the future.
func (c *Content) normalize(stage Stage, now time.Time) error {
	c.Title = strings.TrimSpace(c.Title)
	c.Summary = strings.TrimSpace(c.Summary)
	switch c.Kind {
	case KindIncident, KindPrecursor:
	case "":
		return fieldErrorf("kind", "required: incident or precursor")
	default:
		return fieldErrorf("kind", "%q: want incident or precursor", c.Kind)
	}
	if err := textfield.Check("summary", c.Summary, maxText, true); err != nil {
		return err
	}
	if c.Title == "" {
		c.Title = textfield.FirstLine(c.Summary, 80)
	}
	if err := textfield.CheckLine("title", c.Title, true); err != nil {
		return err
	}
	if c.AwareAt.IsZero() {
		return fieldErrorf("aware_at", "required: when the operator became aware (RFC 3339)")
	}
	// A clock a few minutes fast at the operator's end is not an error.
	future := now.Add(10 * time.Minute)
	c.AwareAt = c.AwareAt.UTC()
	if c.AwareAt.After(future) {
		return fieldErrorf("aware_at", "%s is in the future", c.AwareAt.Format(time.RFC3339))
	}
	if !c.OccurredAt.IsZero() {
		c.OccurredAt = c.OccurredAt.UTC()
		if c.OccurredAt.After(future) {
			return fieldErrorf("occurred_at", "%s is in the future", c.OccurredAt.Format(time.RFC3339))
		}
	}
	switch c.Status {
	case StatusOngoing, StatusContained, StatusRecovered:
	case "":
		return fieldErrorf("status", "required: ongoing, contained or recovered")
	default:
		return fieldErrorf("status", "%q: want ongoing, contained or recovered", c.Status)
	}
	if err := textfield.Check("status_detail", c.StatusDetail, maxText, false); err != nil {
		return err
	}
	if err := c.Contact.normalize(); err != nil {
		return err
	}
	if len(c.AffectedAssets) > maxList {
		return fieldErrorf("affected_assets", "%d entries, at most %d", len(c.AffectedAssets), maxList)
	}
	seen := map[string]bool{}
	for i, a := range c.AffectedAssets {
		if seen[a] {
			return fieldErrorf(fmt.Sprintf("affected_assets[%d]", i), "%q listed twice", a)
		}
		seen[a] = true
	}

	if stage != StageQuick || c.Impact != (Impact{}) {
		if err := c.Impact.normalize(stage != StageQuick); err != nil {
			return err
		}
	}
	if err := textfield.Check("measures_taken", c.MeasuresTaken, maxText, stage != StageQuick); err != nil {
		return err
	}
	if err := textfield.Check("root_cause", c.RootCause, maxText, stage == StageFinal); err != nil {
		return err
	}
	if err := textfield.Check("recurrence", c.Recurrence, maxText, false); err != nil {
		return err
	}
	if len(c.Techniques) > maxList {
		return fieldErrorf("techniques", "%d entries, at most %d", len(c.Techniques), maxList)
	}
	for i, t := range c.Techniques {
		t = strings.ToUpper(strings.TrimSpace(t))
		if !techniqueRE.MatchString(t) {
			return fieldErrorf(fmt.Sprintf("techniques[%d]", i), "%q is not an ATT&CK technique id like T1190 or T1059.001", c.Techniques[i])
		}
		c.Techniques[i] = t
	}
	if len(c.Indicators) > maxList {
		return fieldErrorf("indicators", "%d entries, at most %d", len(c.Indicators), maxList)
	}
	for i := range c.Indicators {
		if err := c.Indicators[i].normalize(fmt.Sprintf("indicators[%d]", i)); err != nil {
			return err
		}
	}
	if len(c.Observations) > maxList {
		return fieldErrorf("observations", "%d entries, at most %d", len(c.Observations), maxList)
	}
	for i := range c.Observations {
		o := &c.Observations[i]
		f := fmt.Sprintf("observations[%d]", i)
		if o.First.IsZero() || o.Last.IsZero() {
			return fieldErrorf(f, "first and last are required")
		}
		o.First, o.Last = o.First.UTC(), o.Last.UTC()
		if o.Last.Before(o.First) {
			return fieldErrorf(f+".last", "before first")
		}
		if o.Count < 1 {
			return fieldErrorf(f+".count", "must be at least 1")
		}
		if len(o.Objects) == 0 || len(o.Objects) > maxList {
			return fieldErrorf(f+".objects", "want 1 to %d observables", maxList)
		}
		for j := range o.Objects {
			if err := o.Objects[j].normalize(fmt.Sprintf("%s.objects[%d]", f, j)); err != nil {
				return err
			}
		}
	}
	if len(c.Malware) > maxList {
		return fieldErrorf("malware", "%d entries, at most %d", len(c.Malware), maxList)
	}
	for i := range c.Malware {
		m := &c.Malware[i]
		m.Name = strings.TrimSpace(m.Name)
		if err := textfield.CheckLine(fmt.Sprintf("malware[%d].name", i), m.Name, true); err != nil {
			return err
		}
		for j, t := range m.Types {
			if err := textfield.CheckLine(fmt.Sprintf("malware[%d].types[%d]", i, j), t, true); err != nil {
				return err
			}
		}
	}
	if len(c.Timeline) > maxList {
		return fieldErrorf("timeline", "%d entries, at most %d", len(c.Timeline), maxList)
	}
	for i := range c.Timeline {
		e := &c.Timeline[i]
		f := fmt.Sprintf("timeline[%d]", i)
		if e.Time.IsZero() {
			return fieldErrorf(f+".time", "required")
		}
		e.Time = e.Time.UTC()
		if err := textfield.Check(f+".description", e.Description, maxText, true); err != nil {
			return err
		}
	}
	if len(c.Attachments) > maxList {
		return fieldErrorf("attachments", "%d entries, at most %d", len(c.Attachments), maxList)
	}
	for i, a := range c.Attachments {
		f := fmt.Sprintf("attachments[%d]", i)
		if err := textfield.CheckLine(f+".type", a.Type, true); err != nil {
			return err
		}
		if err := textfield.CheckLine(f+".id", a.ID, true); err != nil {
			return err
		}
		if len(a.Object) == 0 || len(a.Object) > maxAttachment {
			return fieldErrorf(f+".object", "want 1 to %d bytes of JSON", maxAttachment)
		}
	}
	return nil
}

func (ct *Contact) normalize() error {
	ct.Name, ct.Email, ct.Phone = strings.TrimSpace(ct.Name), strings.TrimSpace(ct.Email), strings.TrimSpace(ct.Phone)
	if err := textfield.CheckLine("contact.name", ct.Name, true); err != nil {
		return err
	}
	if ct.Email == "" && ct.Phone == "" {
		return fieldErrorf("contact", "an e-mail address or a phone number is required")
	}
	if ct.Email != "" {
		a, err := mail.ParseAddress(ct.Email)
		if err != nil || a.Name != "" || a.Address != ct.Email {
			return fieldErrorf("contact.email", "%q is not an e-mail address", ct.Email)
		}
	}
	if ct.Phone != "" {
		if len(ct.Phone) > 32 || strings.Trim(ct.Phone, "+0123456789-() ") != "" {
			return fieldErrorf("contact.phone", "%q is not a phone number (digits, spaces, + - ( ) only)", ct.Phone)
		}
	}
	return nil
}

func (im *Impact) normalize(required bool) error {
	switch im.Level {
	case ImpactNone, ImpactLow, ImpactModerate, ImpactHigh, ImpactSevere:
	case "":
		if required {
			return fieldErrorf("impact.level", "required: none, low, moderate, high or severe")
		}
	default:
		return fieldErrorf("impact.level", "%q: want none, low, moderate, high or severe", im.Level)
	}
	im.Description = strings.TrimSpace(im.Description)
	return textfield.Check("impact.description", im.Description, maxText, required)
}

func (in *Indicator) normalize(field string) error {
	in.Value = strings.TrimSpace(in.Value)
	if err := textfield.Check(field+".description", in.Description, maxText, false); err != nil {
		return err
	}
	if in.Value == "" {
		return fieldErrorf(field+".value", "required")
	}
	if len(in.Value) > 2048 {
		return fieldErrorf(field+".value", "longer than 2048 bytes")
	}
	bad := func(want string) error {
		return fieldErrorf(field+".value", "%q is not %s", in.Value, want)
	}
	switch in.Type {
	case IndicatorIPv4, IndicatorIPv6:
		var a netip.Addr
		if pfx, err := netip.ParsePrefix(in.Value); err == nil {
			a = pfx.Addr()
			in.Value = pfx.Masked().String()
		} else if a, err = netip.ParseAddr(in.Value); err == nil {
			in.Value = a.String()
		} else {
			return bad("an IP address or CIDR prefix")
		}
		if (in.Type == IndicatorIPv4) != a.Is4() {
			return bad("an address of type " + string(in.Type))
		}
	case IndicatorDomain:
		d := strings.ToLower(strings.TrimSuffix(in.Value, "."))
		if !validDomain(d) {
			return bad("a domain name")
		}
		in.Value = d
	case IndicatorURL:
		u, err := url.Parse(in.Value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ftp") || u.Host == "" {
			return bad("an absolute http, https or ftp URL")
		}
	case IndicatorMD5, IndicatorSHA1, IndicatorSHA256:
		v := strings.ToLower(in.Value)
		if len(v) != hashLen[in.Type] || strings.Trim(v, "0123456789abcdef") != "" {
			return bad(fmt.Sprintf("%d hexadecimal digits", hashLen[in.Type]))
		}
		in.Value = v
	case IndicatorEmail:
		a, err := mail.ParseAddress(in.Value)
		if err != nil || a.Name != "" {
			return bad("an e-mail address")
		}
		in.Value = a.Address
	case "":
		return fieldErrorf(field+".type", "required")
	default:
		return fieldErrorf(field+".type", "%q: want ipv4, ipv6, domain, url, md5, sha1, sha256 or email", in.Type)
	}
	return nil
}

// validDomain checks RFC 1035 host-name syntax (letters, digits, hyphens,
// underscores as some malware uses them, labels of 1–63, at least two labels).
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
