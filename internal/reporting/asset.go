package reporting

import (
	"fmt"
	"time"
)

// AssetRole is what a specified critical computer does.
type AssetRole string

// Asset roles. Other is allowed with RoleDetail.
const (
	RoleVPNGateway  AssetRole = "vpn_gateway"
	RoleFirewall    AssetRole = "firewall"
	RoleRouter      AssetRole = "router"
	RoleSwitch      AssetRole = "switch"
	RoleServer      AssetRole = "server"
	RoleSCADAServer AssetRole = "scada_server"
	RoleHMI         AssetRole = "hmi"
	RolePLC         AssetRole = "plc"
	RoleDatabase    AssetRole = "database"
	RoleDirectory   AssetRole = "directory"
	RoleMailServer  AssetRole = "mail_server"
	RoleWebServer   AssetRole = "web_server"
	RoleWorkstation AssetRole = "workstation"
	RoleOther       AssetRole = "other"
)

// AssetRoles lists the roles.
var AssetRoles = []AssetRole{
	RoleVPNGateway, RoleFirewall, RoleRouter, RoleSwitch, RoleServer, RoleSCADAServer, RoleHMI,
	RolePLC, RoleDatabase, RoleDirectory, RoleMailServer, RoleWebServer, RoleWorkstation, RoleOther,
}

// AssetInput is what an operator notifies about one specified critical
// computer (§4): on creation and on every update. The product is named by
// Product and Vendor, and identified by CPE and/or PURL for matching against
// vulnerabilities.
type AssetInput struct {
	// Name is the operator's own name for the computer, unique among its
	// active assets, e.g. "hq-vpn-1".
	Name string `json:"name"`
	// Product, Vendor, Model and Version describe the product; Product and
	// Vendor are required.
	Product string `json:"product"`
	Vendor  string `json:"vendor"`
	Model   string `json:"model,omitempty"`
	Version string `json:"version,omitempty"`
	// CPE is a CPE 2.3 formatted string ("cpe:2.3:…"); PURL a package URL.
	CPE  string `json:"cpe,omitempty"`
	PURL string `json:"purl,omitempty"`
	// Role is what the computer does; RoleDetail is required for "other".
	Role       AssetRole `json:"role"`
	RoleDetail string    `json:"role_detail,omitempty"`
	// InternetFacing says whether it is reachable from the internet.
	InternetFacing bool `json:"internet_facing"`
	// Facility is the critical facility it serves.
	Facility string `json:"facility"`
	// Introduced is the date it went into service.
	Introduced Date `json:"introduced,omitzero"`
	// SupportEnd is the vendor's end-of-support date, if announced.
	SupportEnd Date `json:"support_end,omitzero"`
}

// Date is a calendar date, written "2006-01-02" in JSON and CSV. The zero
// Date means "not given".
type Date struct{ t time.Time }

// DateOf returns the date of t in UTC.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate reads "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time returns d as UTC midnight.
func (d Date) Time() time.Time { return d.t }

// String renders d as "2006-01-02", or "" when zero.
func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// MarshalText renders d as "2006-01-02".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "2006-01-02"; empty text is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
