package sharing

import (
	"time"

	"github.com/acd-platform/acd/internal/tlp"
)

// State is where an advisory revision is in its life: draft → in_review
// → published (or back to draft with a comment) → withdrawn; a published
// revision becomes superseded when the next revision is published.
type State string

// Advisory states.
const (
	StateDraft      State = "draft"
	StateInReview   State = "in_review"
	StatePublished  State = "published"
	StateWithdrawn  State = "withdrawn"
	StateSuperseded State = "superseded"
)

// Indicator is an indicator of compromise in an advisory's technical
// part: a typed value (ipv4, ipv6, domain, url, md5, sha1, sha256, email)
// or, with type "stix", a STIX 2.1 pattern.
type Indicator struct {
	Type        string `json:"type"`
	Value       string `json:"value,omitempty"`
	Pattern     string `json:"pattern,omitempty"`
	Description string `json:"description,omitempty"`
}

// Indicator types.
const (
	IndicatorIPv4    = "ipv4"   // address or CIDR prefix
	IndicatorIPv6    = "ipv6"   // address or CIDR prefix
	IndicatorDomain  = "domain" // domain name
	IndicatorURL     = "url"    // absolute http, https or ftp URL
	IndicatorMD5     = "md5"    // file hash, hex
	IndicatorSHA1    = "sha1"   // file hash, hex
	IndicatorSHA256  = "sha256" // file hash, hex
	IndicatorEmail   = "email"  // e-mail address
	IndicatorPattern = "stix"   // a STIX 2.1 pattern in Pattern
)

// Technique is a MITRE ATT&CK technique: its id ("T1190", "T1059.001")
// and, optionally, its name.
type Technique struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Technical is an advisory's part for analysts.
type Technical struct {
	// Summary says what was seen, for analysts.
	Summary    string      `json:"summary"`
	Indicators []Indicator `json:"indicators,omitempty"`
	Techniques []Technique `json:"techniques,omitempty"`
	// Hunting is the threat-hunting guidance: what to look for in logs,
	// beyond the indicators.
	Hunting string `json:"hunting"`
	// Vulnerabilities are the vulnerabilities the advisory addresses, if
	// any: with them it is a security advisory.
	Vulnerabilities []Vulnerability `json:"vulnerabilities,omitempty"`
}

// Executive is an advisory's part for executives.
type Executive struct {
	Background string `json:"background"`
	// Purpose is the attacker's purpose, as far as it is known.
	Purpose string `json:"purpose"`
	// Impact is the business impact on those affected.
	Impact string `json:"impact"`
	// Actions are the recommended actions.
	Actions string `json:"actions"`
}

// Recipients are whom an item is addressed to: organisations and groups
// for TLP:AMBER and TLP:AMBER+STRICT, individuals for TLP:RED. Groups
// expand to their member organisations when the item is saved and again
// when it is published.
type Recipients struct {
	Orgs   []string `json:"orgs,omitempty"`
	Groups []string `json:"groups,omitempty"`
	Users  []string `json:"users,omitempty"`
}

// AdvisoryInput is an advisory as its author writes it.
type AdvisoryInput struct {
	Title string `json:"title"`
	// TLP is the level: clear, green, amber, amber+strict or red
	// ("TLP:AMBER" is read too).
	TLP tlp.Level `json:"tlp"`
	// Clearance is the clearance a reader must hold; "" is the lowest.
	Clearance  string     `json:"clearance,omitempty"`
	Recipients Recipients `json:"recipients,omitzero"`
	Technical  Technical  `json:"technical"`
	Executive  Executive  `json:"executive"`
}

// Advisory is one revision of an advisory (§41).
type Advisory struct {
	ID       string `json:"id"`
	Revision int    `json:"revision"`
	// Supersedes is the revision this one corrects; 0 for the first.
	Supersedes int    `json:"supersedes,omitempty"`
	State      State  `json:"state"`
	Title      string `json:"title"`
	// Marking is how the revision is shared: its level, the clearance it
	// requires, and its recipients with the groups expanded (at publication
	// for a published revision; widened by forwarding).
	Marking tlp.Marking `json:"marking"`
	// Recipients are the recipients as the author named them.
	Recipients Recipients `json:"recipients"`
	Technical  Technical  `json:"technical"`
	Executive  Executive  `json:"executive"`
	AuthorID   string     `json:"author_id"`
	AuthorOrg  string     `json:"author_org"`
	ReviewerID string     `json:"reviewer_id,omitempty"`
	// ReturnComment is the reviewer's comment on a draft returned from
	// review.
	ReturnComment  string `json:"return_comment,omitempty"`
	WithdrawReason string `json:"withdraw_reason,omitempty"`
	// FirstCreatedAt is when revision 1 was created; CreatedAt when this
	// revision was.
	FirstCreatedAt time.Time `json:"first_created_at"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	SubmittedAt    time.Time `json:"submitted_at,omitzero"`
	PublishedAt    time.Time `json:"published_at,omitzero"`
	WithdrawnAt    time.Time `json:"withdrawn_at,omitzero"`
	// Forwards are the forwards of the item, for readers of a published
	// advisory.
	Forwards []Forward `json:"forwards,omitempty"`
}

// Summary is an advisory revision as lists show it.
type Summary struct {
	ID          string    `json:"id"`
	Revision    int       `json:"revision"`
	State       State     `json:"state"`
	Title       string    `json:"title"`
	TLP         tlp.Level `json:"tlp"`
	Clearance   string    `json:"clearance,omitempty"`
	AuthorID    string    `json:"author_id"`
	UpdatedAt   time.Time `json:"updated_at"`
	PublishedAt time.Time `json:"published_at,omitzero"`
}

func (a Advisory) summary() Summary {
	return Summary{ID: a.ID, Revision: a.Revision, State: a.State, Title: a.Title, TLP: a.Marking.Level,
		Clearance: a.Marking.Clearance, AuthorID: a.AuthorID, UpdatedAt: a.UpdatedAt, PublishedAt: a.PublishedAt}
}
