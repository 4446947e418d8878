// Package sector lists the 15 critical-infrastructure sectors of the
// Economic Security Promotion Act whose designated operators report under
// ACD (§4, §5), and the sector ministry that supervises each.
//
// The list and its order follow the Cabinet Secretariat's outline of the Act
// (seed 000: ① electricity … ⑮ ports). Codes are stable identifiers stored
// in the database (an operator organisation's sector, a ministry's sectors);
// names are for display.
//
//	s, ok := sector.ByCode("water_supply")
//	m, _ := sector.MinistryByCode(s.Ministry) // MLIT
package sector

// Sector is one critical-infrastructure sector.
type Sector struct {
	// Code is the stable identifier, e.g. "electricity".
	Code string
	// Name is the English name.
	Name string
	// NameJA is the Japanese name as the Act's outline writes it.
	NameJA string
	// Ministry is the code of the supervising sector ministry.
	Ministry string
}

// Ministry is a sector ministry (事業所管大臣's ministry).
type Ministry struct {
	// Code is the stable identifier, e.g. "meti".
	Code string
	// Name is the English name.
	Name string
	// NameJA is the Japanese name.
	NameJA string
}

// Ministry codes.
const (
	METI = "meti" // Ministry of Economy, Trade and Industry
	MLIT = "mlit" // Ministry of Land, Infrastructure, Transport and Tourism
	MIC  = "mic"  // Ministry of Internal Affairs and Communications
	FSA  = "fsa"  // Financial Services Agency
)

var ministries = []Ministry{
	{METI, "Ministry of Economy, Trade and Industry", "経済産業省"},
	{MLIT, "Ministry of Land, Infrastructure, Transport and Tourism", "国土交通省"},
	{MIC, "Ministry of Internal Affairs and Communications", "総務省"},
	{FSA, "Financial Services Agency", "金融庁"},
}

var sectors = []Sector{
	{"electricity", "Electricity", "電気", METI},
	{"gas", "Gas", "ガス", METI},
	{"oil", "Oil", "石油", METI},
	// Water supply moved from the Ministry of Health, Labour and Welfare to
	// MLIT in April 2024.
	{"water_supply", "Water supply", "水道", MLIT},
	{"railways", "Railways", "鉄道", MLIT},
	{"trucking", "Trucking", "貨物自動車運送", MLIT},
	{"international_shipping", "International shipping", "外航海運", MLIT},
	{"aviation", "Aviation", "航空", MLIT},
	{"airports", "Airports", "空港", MLIT},
	{"telecommunications", "Telecommunications", "電気通信", MIC},
	{"broadcasting", "Broadcasting", "放送", MIC},
	{"postal", "Postal services", "郵便", MIC},
	{"finance", "Finance", "金融", FSA},
	{"credit_cards", "Credit cards", "クレジットカード", METI},
	{"ports", "Ports", "港湾", MLIT},
}

// All returns the 15 sectors in the order of the Act's outline. The slice is
// a copy; callers may modify it.
func All() []Sector { return append([]Sector(nil), sectors...) }

// Codes returns the sector codes in the order of All.
func Codes() []string {
	out := make([]string, len(sectors))
	for i, s := range sectors {
		out[i] = s.Code
	}
	return out
}

// ByCode returns the sector with code, and whether there is one.
func ByCode(code string) (Sector, bool) {
	for _, s := range sectors {
		if s.Code == code {
			return s, true
		}
	}
	return Sector{}, false
}

// Valid reports whether code names a sector.
func Valid(code string) bool {
	_, ok := ByCode(code)
	return ok
}

// Ministries returns the sector ministries. The slice is a copy.
func Ministries() []Ministry { return append([]Ministry(nil), ministries...) }

// MinistryByCode returns the ministry with code, and whether there is one.
func MinistryByCode(code string) (Ministry, bool) {
	for _, m := range ministries {
		if m.Code == code {
			return m, true
		}
	}
	return Ministry{}, false
}

// OfMinistry returns the codes of the sectors that ministry supervises, in
// the order of All; nil for an unknown ministry.
func OfMinistry(ministry string) []string {
	var out []string
	for _, s := range sectors {
		if s.Ministry == ministry {
			out = append(out, s.Code)
		}
	}
	return out
}
