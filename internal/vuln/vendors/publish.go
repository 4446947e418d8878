package vendors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/textfield"
	"github.com/acd-platform/acd/internal/tlp"
	"github.com/acd-platform/acd/internal/vuln"
	"github.com/acd-platform/acd/internal/vuln/cve"
)

// publish publishes the mitigation of r inside tx, authorised by the
// analyst who sent r, and tells the affected operators; on is "answer" or
// "deadline". When that analyst may no longer authorise it, r records why
// in Unpublished and the Cabinet Office is told instead.
func (s *Service) publish(ctx context.Context, tx *store.Tx, r *Request, d vuln.Detail, on string) error {
	by, err := s.authoriser(ctx, r)
	if err != nil {
		return err
	}
	a, err := s.sharing.PublishAuthorized(ctx, tx, sharing.Authorized{Input: s.compose(ctx, *r, d), By: by,
		Author: resRequest + "/" + r.ID, Supersedes: r.AdvisoryID})
	var ref *svcerr.Refusal
	if errors.As(err, &ref) && ref.Code == sharing.CodeNotCabinetOffice {
		r.Unpublished = "the analyst who sent it may no longer authorise publication; an analyst publishes the mitigation"
		_, err := s.notifier.Notify(ctx, tx, deadline.Notice{ToOrg: r.SentOrg, Subject: "Publish the mitigation of " + r.VulnID,
			Body: "The mitigation of " + r.VulnID + " was not published: " + r.Unpublished + ".", Link: r.Link()})
		return err
	}
	if err != nil {
		return fmt.Errorf("publish mitigation: %w", err)
	}
	r.AdvisoryID, r.PublishedAt, r.PublishedOn, r.Unpublished = a.ID, a.PublishedAt, on, ""
	return s.tellOperators(ctx, tx, *r, d, a)
}

// authoriser is the principal of the analyst who sent r, as they are now.
func (s *Service) authoriser(ctx context.Context, r *Request) (*auth.Principal, error) {
	u, err := s.auth.User(ctx, r.SentBy)
	if errors.Is(err, auth.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read sender: %w", err)
	}
	o, err := s.auth.Org(ctx, u.OrgID)
	if err != nil {
		return nil, fmt.Errorf("read sender's organisation: %w", err)
	}
	return &auth.Principal{UserID: u.ID, Username: u.Username, OrgID: o.ID, OrgKind: o.Kind, Sectors: o.Sectors, Roles: u.Roles,
		Disabled: u.Disabled}, nil
}

// tellOperators tells each operator with an open pair of the
// vulnerability which of its specified critical computers are affected
// and where the mitigation is published.
func (s *Service) tellOperators(ctx context.Context, tx *store.Tx, r Request, d vuln.Detail, a sharing.Advisory) error {
	byOrg := map[string][]string{}
	var orgs []string
	for _, m := range d.Matches {
		if _, ok := byOrg[m.OrgID]; !ok {
			orgs = append(orgs, m.OrgID)
		}
		name := m.AssetName
		if name == "" {
			name = m.AssetID
		}
		if !slices.Contains(byOrg[m.OrgID], name) {
			byOrg[m.OrgID] = append(byOrg[m.OrgID], name)
		}
	}
	link := "/alerts/" + a.ID
	if a.Marking.Level != tlp.Clear {
		link = "/vulns/affected?vuln=" + r.VulnID
	}
	for _, org := range orgs {
		names := byOrg[org]
		if len(names) > 50 {
			names = append(names[:50:50], fmt.Sprintf("… and %d more", len(byOrg[org])-50))
		}
		body := fmt.Sprintf("The mitigation of %s is published (advisory %s, revision %d). It affects your specified critical computers %s.",
			r.VulnID, a.ID, a.Revision, strings.Join(names, ", "))
		if _, err := s.notifier.Notify(ctx, tx, deadline.Notice{ToOrg: org, Subject: "Mitigation published: " + r.VulnID,
			Body: body, Link: link}); err != nil {
			return fmt.Errorf("notify operator: %w", err)
		}
	}
	return nil
}

// compose writes the advisory that publishes r's mitigation: from the
// vendor's answer when there is one, otherwise from the record.
func (s *Service) compose(ctx context.Context, r Request, d vuln.Detail) sharing.AdvisoryInput {
	rec := d.Record
	vendor := r.OrgID
	if o, err := s.auth.Org(ctx, r.OrgID); err == nil {
		vendor = o.Name
	}
	var names []string
	for _, p := range r.Products {
		names = append(names, p.Name)
	}
	products := strings.Join(names, ", ")
	v := sharing.Vulnerability{CVE: r.VulnID, Title: cut(rec.Title, 200), Description: cut(english(rec.Descriptions), 20000),
		Exploited: d.ExploitedInJapan, CVSS: cvssOf(rec)}
	if len(rec.CWEs) > 0 && strings.HasPrefix(rec.CWEs[0], "CWE-") {
		v.CWE = rec.CWEs[0]
	}
	a := r.Answer()
	var actions []string
	for _, p := range r.Products {
		ap := sharing.AffectedProduct{Vendor: vendor, Product: p.Name, CPE: p.CPE, SupportEnds: p.SupportEnds,
			Affected: recordRange(rec, p)}
		if a != nil {
			for _, f := range a.Products {
				if f.ProductID != p.ID {
					continue
				}
				ap.Affected, ap.Fixed = f.Affected, f.Fixed
				if f.SupportEnds != "" {
					ap.SupportEnds = f.SupportEnds
				}
				if f.Fixed != "" {
					v.Remediations = append(v.Remediations, sharing.Remediation{Category: sharing.RemediationVendorFix,
						Details: fmt.Sprintf("Upgrade %s to %s or later.", p.Name, f.Fixed), URL: a.AdvisoryURL})
					actions = append(actions, fmt.Sprintf("Upgrade %s to %s or later.", p.Name, f.Fixed))
				}
			}
		}
		v.Products = append(v.Products, ap)
	}
	switch {
	case a != nil:
		if a.Mitigation != "" {
			v.Remediations = append(v.Remediations, sharing.Remediation{Category: sharing.RemediationMitigation, Details: a.Mitigation, URL: a.AdvisoryURL})
			actions = append(actions, a.Mitigation)
		}
		v.Investigation = a.Investigation
	default:
		for _, m := range rec.Mitigations {
			if m.Lang != "" && !strings.HasPrefix(m.Lang, "en") {
				continue
			}
			cat := sharing.RemediationVendorFix
			if m.Kind == cve.Workaround {
				cat = sharing.RemediationWorkaround
			}
			v.Remediations = append(v.Remediations, sharing.Remediation{Category: cat, Details: cut(m.Text, 20000)})
			actions = append(actions, cut(m.Text, 2000))
		}
	}
	if len(v.Remediations) == 0 {
		v.Remediations = []sharing.Remediation{{Category: sharing.RemediationNoneAvailable, Details: "No fix or mitigation is known yet."}}
	}

	title := r.VulnID + " in " + products + " (" + vendor + ")"
	summary := v.Description
	if summary == "" {
		summary = r.VulnID + " affects " + products + "."
	}
	hunting := v.Investigation
	if hunting == "" {
		hunting = "The vendor has not said how to investigate. Check the affected products' logs for unexpected requests, configuration " +
			"changes and accounts since the vulnerability became known, and compare them with the vendor's and the Cabinet Office's indicators."
	}
	background := fmt.Sprintf("%s, a vulnerability in %s of %s, was brought to the vendor by the Cabinet Office (%s).", r.VulnID, products, vendor, r.LegalBasis)
	if a != nil {
		background += " The vendor answered on " + a.At.Format(time.DateOnly) + "."
		if a.AdvisoryURL != "" {
			background += " Vendor advisory: " + a.AdvisoryURL
		}
	} else {
		background += fmt.Sprintf(" The vendor had not answered by the deadline, %s; this advisory gives what the vulnerability record says.",
			r.Due.Format(time.DateOnly))
	}
	purpose := "No exploitation in Japan is known to the Cabinet Office."
	if d.ExploitedInJapan {
		purpose = "The vulnerability is exploited in Japan: it is in the catalogue of vulnerabilities exploited in Japan."
	}
	impact := "See the vulnerability's description."
	if v.CVSS != nil {
		impact = fmt.Sprintf("CVSS %s base score %.1f (%s).", v.CVSS.Version, v.CVSS.BaseScore, v.CVSS.Severity)
	}
	if v.CWE != "" {
		impact += " Weakness: " + v.CWE + "."
	}
	if len(actions) == 0 {
		actions = []string{"No fix or mitigation is known yet: limit the products' exposure to the internet and watch them closely."}
	}
	for _, p := range v.Products {
		if p.SupportEnds != "" {
			actions = append(actions, fmt.Sprintf("Support for %s ends on %s.", p.Product, p.SupportEnds))
		}
	}
	return sharing.AdvisoryInput{Title: cut(title, 200), TLP: r.TLP, Technical: sharing.Technical{Summary: summary, Hunting: hunting,
		Vulnerabilities: []sharing.Vulnerability{v}},
		Executive: sharing.Executive{Background: background, Purpose: purpose, Impact: impact, Actions: cut(strings.Join(actions, "\n"), 20000)}}
}

// english is the first English description, or the first.
func english(ts []cve.Text) string {
	for _, t := range ts {
		if t.Lang == "" || strings.HasPrefix(strings.ToLower(t.Lang), "en") {
			return t.Value
		}
	}
	if len(ts) > 0 {
		return ts[0].Value
	}
	return ""
}

// cvssOf is the record's CVSS 3.1, 3.0 or 4.0 score with the highest base
// score, or nil.
func cvssOf(rec *cve.Vulnerability) *sharing.CVSS {
	var best *sharing.CVSS
	for _, c := range rec.CVSS {
		if c.Version != "3.0" && c.Version != "3.1" && c.Version != "4.0" {
			continue
		}
		if best == nil || c.BaseScore > best.BaseScore {
			best = &sharing.CVSS{Version: c.Version, Vector: c.Vector, BaseScore: c.BaseScore, Severity: cve.Severity(c.BaseScore)}
		}
	}
	return best
}

// recordRange describes in words the versions of p the record says are
// affected.
func recordRange(rec *cve.Vulnerability, p Product) string {
	var parts []string
	for _, a := range rec.Affected {
		if !covers(a, p) {
			continue
		}
		if a.Versions.All() {
			return "all versions"
		}
		for _, rg := range a.Versions.Ranges {
			if rg.Status != cve.StatusAffected {
				continue
			}
			parts = append(parts, rangeText(rg))
		}
	}
	if len(parts) == 0 {
		return "see the vulnerability record"
	}
	return cut(strings.Join(parts, "; "), 200)
}

func rangeText(rg cve.Range) string {
	var s string
	switch {
	case rg.Exact != "":
		s = rg.Exact
	case rg.Start != "" && rg.End != "":
		s = "from " + rg.Start + (map[bool]string{true: " through ", false: " before "})[rg.EndIncluded] + rg.End
	case rg.End != "":
		s = (map[bool]string{true: "through ", false: "before "})[rg.EndIncluded] + rg.End
	case rg.Start != "":
		s = "from " + rg.Start
	default:
		s = "all versions"
	}
	var fixed []string
	for _, c := range rg.Changes {
		if c.Status == cve.StatusUnaffected {
			fixed = append(fixed, c.At)
		}
	}
	if len(fixed) > 0 {
		s += " (fixed from " + strings.Join(fixed, ", ") + ")"
	}
	return s
}

// cut shortens s to one line of at most n characters where a title needs
// it, and to n characters otherwise.
func cut(s string, n int) string {
	if n <= textfield.MaxLine {
		s = strings.Join(strings.Fields(s), " ")
	}
	return textfield.Cut(strings.TrimSpace(s), n)
}
