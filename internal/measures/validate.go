package measures

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/acd-platform/acd/internal/textfield"
)

// Limits of the inputs.
const (
	maxText       = 20000 // characters of a free-text field
	maxTargets    = 100   // targets of a case
	maxSteps      = 100   // steps of one execution
	maxEvidence   = 100   // evidence files of one execution
	maxExecutions = 500   // executions recorded in one case
	maxDeliveries = 20    // deliveries recorded for one order
	maxNPSC       = 10    // NPSC records of one case
	maxCommands   = 100   // commands given in one case
	maxOrders     = 500   // orders issued in one case
)

// countries are the ISO 3166-1 alpha-2 codes.
const countries = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
	"DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY " +
	"HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY " +
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY " +
	"QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ " +
	"VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

// validCountry reports whether c is an ISO 3166-1 alpha-2 code.
func validCountry(c string) bool {
	if len(c) != 2 {
		return false
	}
	i := strings.Index(countries, c)
	return i >= 0 && i%3 == 0
}

// cutQ cuts s for quoting in an error.
func cutQ(s string) string { return textfield.Cut(s, 60) }

// canonicalAddress returns s as an IP address or a CIDR prefix in
// canonical form. A prefix with host bits set is refused (naming the
// prefix meant), as is an address with a zone.
func canonicalAddress(field, s string) (string, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return "", fieldErrorf(field, "%q has a zone: give the address without it", cutQ(s))
		}
		return a.String(), nil
	}
	pfx, err := netip.ParsePrefix(s)
	if err != nil {
		return "", fieldErrorf(field, "%q is neither an IP address nor a CIDR prefix", cutQ(s))
	}
	if m := pfx.Masked(); m != pfx {
		return "", fieldErrorf(field, "%q has host bits set: did you mean %s?", cutQ(s), m)
	}
	return pfx.String(), nil
}

// canonicalDomain returns s as a lower-case domain name without a
// trailing dot: at least two labels of letters, digits, '-' and '_' (an
// internationalised name in its xn-- form), each 1–63 characters not
// starting or ending with '-', 253 characters in all.
func canonicalDomain(field, s string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(s), ".")
	if d == "" || len(d) > 253 {
		return "", fieldErrorf(field, "%q is not a domain name: 1–253 characters", cutQ(s))
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "", fieldErrorf(field, "%q is not a domain name: give at least two labels (example.jp)", cutQ(s))
	}
	for i, l := range labels {
		if l == "" || len(l) > 63 {
			return "", fieldErrorf(field, "%q: label %d is empty or longer than 63 characters", cutQ(s), i+1)
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", fieldErrorf(field, "%q: label %q starts or ends with '-'", cutQ(s), cutQ(l))
		}
		for j := 0; j < len(l); j++ {
			c := l[j]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", fieldErrorf(field, "%q: character %q at byte %d of label %d is not allowed (write an internationalised name in its xn-- form)",
					cutQ(s), rune(c), j, i+1)
			}
		}
	}
	return d, nil
}

// checkTarget normalises and checks target t at field.
func checkTarget(field string, t *Target) error {
	t.Address, t.Domain = strings.TrimSpace(t.Address), strings.TrimSpace(t.Domain)
	t.HostingProvider, t.AbuseContact = strings.TrimSpace(t.HostingProvider), strings.TrimSpace(t.AbuseContact)
	t.Country = strings.ToUpper(strings.TrimSpace(t.Country))
	if t.Address == "" && t.Domain == "" {
		return fieldErrorf(field, "an address or a domain is required")
	}
	var err error
	if t.Address != "" {
		if t.Address, err = canonicalAddress(field+".address", t.Address); err != nil {
			return err
		}
	}
	if t.Domain != "" {
		if t.Domain, err = canonicalDomain(field+".domain", t.Domain); err != nil {
			return err
		}
	}
	if err := textfield.CheckLine(field+".hosting_provider", t.HostingProvider, false); err != nil {
		return err
	}
	if err := textfield.CheckLine(field+".abuse_contact", t.AbuseContact, false); err != nil {
		return err
	}
	if t.Country != "" && !validCountry(t.Country) {
		return fieldErrorf(field+".country", "%q is not an ISO 3166-1 alpha-2 country code", cutQ(t.Country))
	}
	return nil
}

// checkText trims *s and checks it as free text.
func checkText(field string, s *string, required bool) error {
	*s = strings.TrimSpace(*s)
	return textfield.Check(field, *s, maxText, required)
}

// checkCondition trims and checks c's text.
func checkCondition(field string, c *Condition) error {
	return checkText(field+".text", &c.Text, false)
}

// checkKinds checks a list of measure kinds at field: at least one, each
// known, none repeated; it sorts them in MeasureKinds order.
func checkKinds(field string, ks []MeasureKind) error {
	if len(ks) == 0 {
		return fieldErrorf(field, "required: at least one of %v", MeasureKinds)
	}
	if len(ks) > len(MeasureKinds) {
		return fieldErrorf(field, "%d kinds: there are only %d", len(ks), len(MeasureKinds))
	}
	for i, k := range ks {
		if !slices.Contains(MeasureKinds, k) {
			return fieldErrorf(fmt.Sprintf("%s[%d]", field, i), "%q: want one of %v", cutQ(string(k)), MeasureKinds)
		}
		if slices.Contains(ks[:i], k) {
			return fieldErrorf(fmt.Sprintf("%s[%d]", field, i), "%q repeated", k)
		}
	}
	slices.SortFunc(ks, func(a, b MeasureKind) int { return slices.Index(MeasureKinds, a) - slices.Index(MeasureKinds, b) })
	return nil
}

// checkCaseInput validates and normalises in: texts trimmed, targets in
// canonical form, proposed kinds in order. It checks the form only; the
// service checks the joint police organisation exists.
func checkCaseInput(in *CaseInput) error {
	if !slices.Contains(Paths, in.Path) {
		return fieldErrorf("path", "%q: want one of %v", cutQ(string(in.Path)), Paths)
	}
	in.Title = strings.TrimSpace(in.Title)
	if err := textfield.CheckLine("title", in.Title, true); err != nil {
		return err
	}
	if len(in.Targets) == 0 {
		return fieldErrorf("targets", "required: at least one address or domain")
	}
	if len(in.Targets) > maxTargets {
		return fieldErrorf("targets", "%d targets, at most %d allowed", len(in.Targets), maxTargets)
	}
	for i := range in.Targets {
		f := fmt.Sprintf("targets[%d]", i)
		if err := checkTarget(f, &in.Targets[i]); err != nil {
			return err
		}
		t := in.Targets[i]
		if j := slices.IndexFunc(in.Targets[:i], func(o Target) bool { return o.Address == t.Address && o.Domain == t.Domain }); j >= 0 {
			return fieldErrorf(f, "the same address and domain as targets[%d]", j)
		}
	}
	for _, f := range []struct {
		name string
		s    *string
	}{{"observed_traffic", &in.ObservedTraffic}, {"harm", &in.Harm}, {"urgency", &in.Urgency}} {
		if err := checkText(f.name, f.s, true); err != nil {
			return err
		}
	}
	if err := checkKinds("proposed", in.Proposed); err != nil {
		return err
	}
	in.ProposedOther = strings.TrimSpace(in.ProposedOther)
	if slices.Contains(in.Proposed, KindOther) {
		if err := textfield.Check("proposed_other", in.ProposedOther, maxText, true); err != nil {
			return err
		}
	} else if in.ProposedOther != "" {
		return fieldErrorf("proposed_other", "only with the kind other in proposed")
	}
	cl := &in.Checklist
	if err := checkCondition("checklist.only_means", &cl.OnlyMeans); err != nil {
		return err
	}
	if err := checkCondition("checklist.least_intrusive", &cl.LeastIntrusive); err != nil {
		return err
	}
	if err := checkText("checklist.third_party_effect", &cl.ThirdPartyEffect, false); err != nil {
		return err
	}
	if err := checkCondition("checklist.international_necessity", &cl.InternationalNecessity); err != nil {
		return err
	}
	in.JointPoliceOrgID = strings.TrimSpace(in.JointPoliceOrgID)
	switch {
	case in.Path == PathSDFProtection && in.JointPoliceOrgID == "":
		return fieldErrorf("joint_police_org_id", "required on the sdf_protection path: the police agency acting jointly")
	case in.Path != PathSDFProtection && in.JointPoliceOrgID != "":
		return fieldErrorf("joint_police_org_id", "only on the sdf_protection path")
	}
	if err := textfield.CheckLine("joint_police_org_id", in.JointPoliceOrgID, false); err != nil {
		return err
	}
	in.ProtectedFacility = strings.TrimSpace(in.ProtectedFacility)
	switch {
	case in.Path == PathSDFGuard && in.ProtectedFacility == "":
		return fieldErrorf("protected_facility", "required on the sdf_guard path: the SDF or US forces computers guarded")
	case in.Path != PathSDFGuard && in.ProtectedFacility != "":
		return fieldErrorf("protected_facility", "only on the sdf_guard path")
	}
	return textfield.Check("protected_facility", in.ProtectedFacility, 2000, false)
}
