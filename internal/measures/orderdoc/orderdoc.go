// Package orderdoc writes the document of an order to the administrator of
// an attacking computer: the order a police officer gives under the Police
// Duties Execution Act, Article 6-2, paragraph 1, and an SDF officer gives
// under the Self-Defense Forces Act, Article 91-3 or 95-4, applying it.
//
// A [Document] holds what the order says: who orders whom, about which
// computers, to take which measures, on what grounds, by when and how to
// answer. [Validate] checks it; [JSON], [Text] and [HTML] render it. The
// text and the HTML give the order in Japanese first, then in English, with
// times in Japan time and the zone named; the HTML is self-contained, for
// the browser or for printing on A4 (package pdf prints it to PDF).
//
// The package only writes documents. The measures service decides whether
// an order may be issued and keeps it.
package orderdoc

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/textfield"
)

// The paths of a measure case, as the measures service names them.
const (
	PathPolice        = "police"         // Police Duties Execution Act §6-2
	PathSDFProtection = "sdf_protection" // SDF Act §81-3 order, §91-3 powers
	PathSDFGuard      = "sdf_guard"      // SDF Act §95-4
)

// Limits of a document's fields.
const (
	MaxTargets = 100   // computers one order names
	MaxText    = 20000 // characters of a free-text field
)

// Document is an order to the administrator of a computer. Times are
// instants; JSON writes them in UTC, Text and HTML show them in Japan time.
type Document struct {
	ID               string     `json:"id"`      // the order's id ("ord_…")
	CaseID           string     `json:"case_id"` // the measure case's id ("msr_…")
	Path             string     `json:"path"`    // PathPolice, PathSDFProtection or PathSDFGuard
	LegalBasis       LegalBasis `json:"legal_basis"`
	IssuedAt         time.Time  `json:"issued_at"`
	Due              time.Time  `json:"due"` // by when the measures must be taken and reported
	Issuer           Issuer     `json:"issuer"`
	Addressee        Addressee  `json:"addressee"`
	Targets          []Target   `json:"targets"`
	RequiredMeasures string     `json:"required_measures"` // what the administrator must do
	Grounds          Grounds    `json:"grounds"`
	Reply            string     `json:"reply"` // how to answer the order
}

// LegalBasis is the provision the order is given under, in each language.
type LegalBasis struct {
	JA string `json:"ja"`
	EN string `json:"en"`
}

// Issuer is the designated officer who gives the order and their agency.
type Issuer struct {
	Officer  string `json:"officer"` // the officer's name
	AgencyJA string `json:"agency_ja"`
	AgencyEN string `json:"agency_en"`
}

// Addressee is the administrator ordered.
type Addressee struct {
	Name            string `json:"name"`
	Contact         string `json:"contact"`                    // where the order is sent (e-mail, address)
	HostingProvider string `json:"hosting_provider,omitempty"` // the computer's hosting provider, if any
}

// Target is one computer the order concerns: an IP address or CIDR prefix,
// a domain name, or both.
type Target struct {
	Address string `json:"address,omitempty"`
	Domain  string `json:"domain,omitempty"`
}

// Grounds say why the order is given: the serious harm to life, body or
// property feared, and why it is urgent.
type Grounds struct {
	Harm    string `json:"harm"`
	Urgency string `json:"urgency"`
}

// LegalBasisFor returns the provision an order is given under on path, and
// false for an unknown path.
func LegalBasisFor(path string) (LegalBasis, bool) {
	switch path {
	case PathPolice:
		return LegalBasis{
			JA: "警察官職務執行法第6条の2第1項",
			EN: "Police Duties Execution Act, Article 6-2, paragraph 1",
		}, true
	case PathSDFProtection:
		return LegalBasis{
			JA: "自衛隊法第91条の3において準用する警察官職務執行法第6条の2第1項",
			EN: "Self-Defense Forces Act, Article 91-3, applying Police Duties Execution Act, Article 6-2, paragraph 1",
		}, true
	case PathSDFGuard:
		return LegalBasis{
			JA: "自衛隊法第95条の4において準用する警察官職務執行法第6条の2第1項",
			EN: "Self-Defense Forces Act, Article 95-4, applying Police Duties Execution Act, Article 6-2, paragraph 1",
		}, true
	}
	return LegalBasis{}, false
}

// DefaultReply is a reply text an issuer may use: answer the issuer by the
// due time with what was done, in both languages.
const DefaultReply = "期限までに、本命令に基づいてとった措置の内容及びその結果を、上記の発出者に連絡先の手段で回答してください。措置をとることができない場合は、その理由を回答してください。\n" +
	"By the due time, reply to the issuer above, through the contact by which you received this order, stating the measures you took under it and their result. If you cannot take them, state why."

// Validate checks d and returns a *svcerr.FieldError naming the first field
// at fault by its JSON path ("targets[2].address"), or nil.
func Validate(d Document) error {
	lines := []struct {
		field, value string
	}{
		{"id", d.ID},
		{"case_id", d.CaseID},
		{"legal_basis.ja", d.LegalBasis.JA},
		{"legal_basis.en", d.LegalBasis.EN},
		{"issuer.officer", d.Issuer.Officer},
		{"issuer.agency_ja", d.Issuer.AgencyJA},
		{"issuer.agency_en", d.Issuer.AgencyEN},
		{"addressee.name", d.Addressee.Name},
		{"addressee.contact", d.Addressee.Contact},
	}
	for _, l := range lines {
		if err := textfield.CheckLine(l.field, l.value, true); err != nil {
			return err
		}
	}
	if err := textfield.CheckLine("addressee.hosting_provider", d.Addressee.HostingProvider, false); err != nil {
		return err
	}
	if _, ok := LegalBasisFor(d.Path); !ok {
		return svcerr.Fieldf("path", "%q: want %s, %s or %s", textfield.Cut(d.Path, 40), PathPolice, PathSDFProtection, PathSDFGuard)
	}
	if d.IssuedAt.IsZero() {
		return svcerr.Fieldf("issued_at", "required")
	}
	if d.Due.IsZero() {
		return svcerr.Fieldf("due", "required")
	}
	if !d.Due.After(d.IssuedAt) {
		return svcerr.Fieldf("due", "%s is not after issued_at %s", d.Due.UTC().Format(time.RFC3339), d.IssuedAt.UTC().Format(time.RFC3339))
	}
	if len(d.Targets) == 0 {
		return svcerr.Fieldf("targets", "required: at least one computer")
	}
	if len(d.Targets) > MaxTargets {
		return svcerr.Fieldf("targets", "%d computers, at most %d allowed", len(d.Targets), MaxTargets)
	}
	for i, t := range d.Targets {
		if err := validateTarget(fmt.Sprintf("targets[%d]", i), t); err != nil {
			return err
		}
	}
	texts := []struct {
		field, value string
	}{
		{"required_measures", d.RequiredMeasures},
		{"grounds.harm", d.Grounds.Harm},
		{"grounds.urgency", d.Grounds.Urgency},
		{"reply", d.Reply},
	}
	for _, t := range texts {
		if err := textfield.Check(t.field, t.value, MaxText, true); err != nil {
			return err
		}
	}
	return nil
}

// validateTarget checks one target: an address that is an IP address or a
// prefix, a domain of one line, at least one of the two.
func validateTarget(field string, t Target) error {
	if t.Address == "" && t.Domain == "" {
		return svcerr.Fieldf(field, "an address or a domain is required")
	}
	if t.Address != "" {
		if err := textfield.CheckLine(field+".address", t.Address, false); err != nil {
			return err
		}
		if _, err := netip.ParseAddr(t.Address); err != nil {
			if _, perr := netip.ParsePrefix(t.Address); perr != nil {
				return svcerr.Fieldf(field+".address", "%q is neither an IP address nor a CIDR prefix", textfield.Cut(t.Address, 60))
			}
		}
	}
	if t.Domain != "" {
		if err := textfield.CheckLine(field+".domain", t.Domain, false); err != nil {
			return err
		}
		if len(t.Domain) > 253 || strings.ContainsAny(t.Domain, " \t/") {
			return svcerr.Fieldf(field+".domain", "%q is not a domain name", textfield.Cut(t.Domain, 60))
		}
	}
	return nil
}

// JSON returns d as indented JSON with its times in UTC (RFC 3339). It
// does not validate d.
func JSON(d Document) ([]byte, error) {
	d.IssuedAt = d.IssuedAt.UTC()
	d.Due = d.Due.UTC()
	if d.Targets == nil {
		d.Targets = []Target{}
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode order document: %w", err)
	}
	return append(b, '\n'), nil
}
