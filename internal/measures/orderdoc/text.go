package orderdoc

import (
	"fmt"
	"strings"
	"time"
)

// jst is Japan Standard Time, in which the document shows its times.
var jst = time.FixedZone("JST", 9*60*60)

// labels are the headings of the document in one language.
type labels struct {
	Lang       string // "ja" or "en"
	Title      string
	Intro      string
	OrderID    string
	CaseID     string
	IssuedAt   string
	LegalBasis string
	Issuer     string
	Officer    string
	Agency     string
	Addressee  string
	Name       string
	Contact    string
	Hosting    string
	Targets    string
	Address    string
	Domain     string
	Required   string
	Grounds    string
	Harm       string
	Urgency    string
	Due        string
	Reply      string
}

var (
	labelsJA = labels{
		Lang:       "ja",
		Title:      "電子計算機の管理者に対する措置命令書",
		Intro:      "下記の法令の規定に基づき、下記の電子計算機について、下記の措置をとることを命じます。",
		OrderID:    "命令番号",
		CaseID:     "事案番号",
		IssuedAt:   "発出日時",
		LegalBasis: "根拠法令",
		Issuer:     "発出者",
		Officer:    "氏名",
		Agency:     "所属",
		Addressee:  "名宛人（電子計算機の管理者）",
		Name:       "氏名又は名称",
		Contact:    "連絡先",
		Hosting:    "ホスティング事業者",
		Targets:    "対象の電子計算機",
		Address:    "IPアドレス",
		Domain:     "ドメイン名",
		Required:   "とるべき措置",
		Grounds:    "命令の理由",
		Harm:       "生命、身体又は財産に対する重大な危害のおそれ",
		Urgency:    "緊急を要する理由",
		Due:        "期限",
		Reply:      "回答の方法",
	}
	labelsEN = labels{
		Lang:       "en",
		Title:      "Order to the administrator of a computer",
		Intro:      "Under the provision below, you are ordered to take the measures below concerning the computers below.",
		OrderID:    "Order number",
		CaseID:     "Case number",
		IssuedAt:   "Issued",
		LegalBasis: "Legal basis",
		Issuer:     "Issued by",
		Officer:    "Name",
		Agency:     "Agency",
		Addressee:  "Addressee (administrator of the computer)",
		Name:       "Name",
		Contact:    "Contact",
		Hosting:    "Hosting provider",
		Targets:    "Computers concerned",
		Address:    "IP address",
		Domain:     "Domain name",
		Required:   "Measures to take",
		Grounds:    "Grounds",
		Harm:       "Serious harm to life, body or property feared",
		Urgency:    "Why it is urgent",
		Due:        "Due",
		Reply:      "How to reply",
	}
)

// timeJA formats t in Japan time for the Japanese part.
func timeJA(t time.Time) string {
	return t.In(jst).Format("2006年1月2日 15時04分") + "（日本標準時 JST, UTC+9）"
}

// timeEN formats t in Japan time for the English part.
func timeEN(t time.Time) string {
	return t.In(jst).Format("2 January 2006, 15:04") + " JST (Japan Standard Time, UTC+9)"
}

// part is one language's part of the document, every value a string ready
// to show.
type part struct {
	L          labels
	IssuedAt   string
	Due        string
	LegalBasis string
	Agency     string
	Hosting    string
	Targets    []Target
}

func parts(d Document) [2]part {
	hosting := d.Addressee.HostingProvider
	if hosting == "" {
		hosting = "—"
	}
	return [2]part{
		{L: labelsJA, IssuedAt: timeJA(d.IssuedAt), Due: timeJA(d.Due), LegalBasis: d.LegalBasis.JA, Agency: d.Issuer.AgencyJA, Hosting: hosting, Targets: d.Targets},
		{L: labelsEN, IssuedAt: timeEN(d.IssuedAt), Due: timeEN(d.Due), LegalBasis: d.LegalBasis.EN, Agency: d.Issuer.AgencyEN, Hosting: hosting, Targets: d.Targets},
	}
}

// Text returns d as plain text that a person can send by e-mail or print:
// the Japanese part first, then the English part, times in Japan time with
// the zone named. Free text is given as written, indented. It does not
// validate d.
func Text(d Document) string {
	var b strings.Builder
	for i, p := range parts(d) {
		if i > 0 {
			b.WriteString("\n" + strings.Repeat("=", 72) + "\n\n")
		}
		writeTextPart(&b, d, p)
	}
	return b.String()
}

func writeTextPart(b *strings.Builder, d Document, p part) {
	l := p.L
	fmt.Fprintf(b, "%s\n\n", l.Title)
	fmt.Fprintf(b, "%s: %s\n", l.OrderID, d.ID)
	fmt.Fprintf(b, "%s: %s\n", l.CaseID, d.CaseID)
	fmt.Fprintf(b, "%s: %s\n", l.IssuedAt, p.IssuedAt)
	fmt.Fprintf(b, "%s: %s\n\n", l.LegalBasis, p.LegalBasis)
	fmt.Fprintf(b, "%s\n\n", l.Intro)

	fmt.Fprintf(b, "[%s]\n", l.Issuer)
	fmt.Fprintf(b, "  %s: %s\n", l.Officer, d.Issuer.Officer)
	fmt.Fprintf(b, "  %s: %s\n\n", l.Agency, p.Agency)

	fmt.Fprintf(b, "[%s]\n", l.Addressee)
	fmt.Fprintf(b, "  %s: %s\n", l.Name, d.Addressee.Name)
	fmt.Fprintf(b, "  %s: %s\n", l.Contact, d.Addressee.Contact)
	fmt.Fprintf(b, "  %s: %s\n\n", l.Hosting, p.Hosting)

	fmt.Fprintf(b, "[%s]\n", l.Targets)
	for i, t := range p.Targets {
		fmt.Fprintf(b, "  %d. ", i+1)
		var fields []string
		if t.Address != "" {
			fields = append(fields, l.Address+": "+t.Address)
		}
		if t.Domain != "" {
			fields = append(fields, l.Domain+": "+t.Domain)
		}
		b.WriteString(strings.Join(fields, ", "))
		b.WriteString("\n")
	}
	b.WriteString("\n")

	fmt.Fprintf(b, "[%s]\n%s\n\n", l.Required, indent(d.RequiredMeasures))
	fmt.Fprintf(b, "[%s]\n", l.Grounds)
	fmt.Fprintf(b, "  %s:\n%s\n", l.Harm, indent(indent(d.Grounds.Harm)))
	fmt.Fprintf(b, "  %s:\n%s\n\n", l.Urgency, indent(indent(d.Grounds.Urgency)))
	fmt.Fprintf(b, "[%s]\n  %s\n\n", l.Due, p.Due)
	fmt.Fprintf(b, "[%s]\n%s\n", l.Reply, indent(d.Reply))
}

// indent indents each line of s by two spaces, with line endings made
// "\n" and trailing blank lines dropped.
func indent(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimRight(s, "\n \t")
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if line != "" {
			lines[i] = "  " + line
		}
	}
	return strings.Join(lines, "\n")
}
