// Package demo loads demonstration data for `acd serve --demo`: the sector
// ministries of all 15 sectors, two designated operators per sector (with a
// few specified critical computers and a quick report), every other kind
// of organisation, and one user for each role of DESIGN.md, including the
// commission chair and four members, an NPA and a prefectural officer, each
// commander, and two admins (so separation of duties can be tried).
//
// Loading is idempotent: organisations and users that exist (by name) are
// left as they are, so starting twice on the same data dir is safe. All demo
// users share one random password kept in the data dir (mode 0600).
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/sector"
)

// Org is a demo organisation.
type orgSpec struct {
	key string // how users below refer to it
	org auth.NewOrg
}

// userSpec is a demo user.
type userSpec struct {
	username, display, org string
	roles                  []auth.Role
}

// operators are a few designated operators, across sectors.
var operators = []orgSpec{
	{"op-electric", auth.NewOrg{Name: "Kanto Electric Power (demo)", NameJA: "関東電力（デモ）", Kind: auth.OrgOperator, Sectors: []string{"electricity"}}},
	{"op-gas", auth.NewOrg{Name: "Tokai Gas (demo)", NameJA: "東海ガス（デモ）", Kind: auth.OrgOperator, Sectors: []string{"gas"}}},
	{"op-water", auth.NewOrg{Name: "Kinki Water Works (demo)", NameJA: "近畿水道（デモ）", Kind: auth.OrgOperator, Sectors: []string{"water_supply"}}},
	{"op-rail", auth.NewOrg{Name: "Chuo Railway (demo)", NameJA: "中央鉄道（デモ）", Kind: auth.OrgOperator, Sectors: []string{"railways"}}},
	{"op-telecom", auth.NewOrg{Name: "Nihon Telecom (demo)", NameJA: "日本テレコム（デモ）", Kind: auth.OrgOperator, Sectors: []string{"telecommunications"}}},
	{"op-bank", auth.NewOrg{Name: "Sakura Bank (demo)", NameJA: "さくら銀行（デモ）", Kind: auth.OrgOperator, Sectors: []string{"finance"}}},
}

// moreOperators fills every sector up to two demo operators.
var moreOperators = []orgSpec{
	{"op-electric2", auth.NewOrg{Name: "Kyushu Grid (demo)", NameJA: "九州送配電（デモ）", Kind: auth.OrgOperator, Sectors: []string{"electricity"}}},
	{"op-gas2", auth.NewOrg{Name: "Hokuriku City Gas (demo)", NameJA: "北陸都市ガス（デモ）", Kind: auth.OrgOperator, Sectors: []string{"gas"}}},
	{"op-oil1", auth.NewOrg{Name: "Seto Refining (demo)", NameJA: "瀬戸精製（デモ）", Kind: auth.OrgOperator, Sectors: []string{"oil"}}},
	{"op-oil2", auth.NewOrg{Name: "Nihonkai Petroleum (demo)", NameJA: "日本海石油（デモ）", Kind: auth.OrgOperator, Sectors: []string{"oil"}}},
	{"op-water2", auth.NewOrg{Name: "Tohoku Waterworks (demo)", NameJA: "東北水道企業団（デモ）", Kind: auth.OrgOperator, Sectors: []string{"water_supply"}}},
	{"op-rail2", auth.NewOrg{Name: "Minato Rapid Transit (demo)", NameJA: "みなと高速鉄道（デモ）", Kind: auth.OrgOperator, Sectors: []string{"railways"}}},
	{"op-truck1", auth.NewOrg{Name: "Kanto Freight (demo)", NameJA: "関東貨物（デモ）", Kind: auth.OrgOperator, Sectors: []string{"trucking"}}},
	{"op-truck2", auth.NewOrg{Name: "Sanyo Logistics (demo)", NameJA: "山陽ロジスティクス（デモ）", Kind: auth.OrgOperator, Sectors: []string{"trucking"}}},
	{"op-ship1", auth.NewOrg{Name: "Pacific Ocean Lines (demo)", NameJA: "太平洋海運（デモ）", Kind: auth.OrgOperator, Sectors: []string{"international_shipping"}}},
	{"op-ship2", auth.NewOrg{Name: "Genkai Shipping (demo)", NameJA: "玄海汽船（デモ）", Kind: auth.OrgOperator, Sectors: []string{"international_shipping"}}},
	{"op-air1", auth.NewOrg{Name: "Sora Airlines (demo)", NameJA: "そら航空（デモ）", Kind: auth.OrgOperator, Sectors: []string{"aviation"}}},
	{"op-air2", auth.NewOrg{Name: "Kumo Air (demo)", NameJA: "くも航空（デモ）", Kind: auth.OrgOperator, Sectors: []string{"aviation"}}},
	{"op-airport1", auth.NewOrg{Name: "Bay Airport Corporation (demo)", NameJA: "ベイ空港（デモ）", Kind: auth.OrgOperator, Sectors: []string{"airports"}}},
	{"op-airport2", auth.NewOrg{Name: "Kita Airport (demo)", NameJA: "北空港（デモ）", Kind: auth.OrgOperator, Sectors: []string{"airports"}}},
	{"op-telecom2", auth.NewOrg{Name: "Hikari Networks (demo)", NameJA: "ひかりネットワークス（デモ）", Kind: auth.OrgOperator, Sectors: []string{"telecommunications"}}},
	{"op-broadcast1", auth.NewOrg{Name: "Asahi Broadcasting Network (demo)", NameJA: "朝日放送網（デモ）", Kind: auth.OrgOperator, Sectors: []string{"broadcasting"}}},
	{"op-broadcast2", auth.NewOrg{Name: "Chubu TV (demo)", NameJA: "中部テレビ（デモ）", Kind: auth.OrgOperator, Sectors: []string{"broadcasting"}}},
	{"op-postal1", auth.NewOrg{Name: "Nippon Post Services (demo)", NameJA: "日本郵便サービス（デモ）", Kind: auth.OrgOperator, Sectors: []string{"postal"}}},
	{"op-postal2", auth.NewOrg{Name: "Express Letter Japan (demo)", NameJA: "速達ジャパン（デモ）", Kind: auth.OrgOperator, Sectors: []string{"postal"}}},
	{"op-bank2", auth.NewOrg{Name: "Fuji Trust Bank (demo)", NameJA: "富士信託銀行（デモ）", Kind: auth.OrgOperator, Sectors: []string{"finance"}}},
	{"op-card1", auth.NewOrg{Name: "Momiji Card (demo)", NameJA: "もみじカード（デモ）", Kind: auth.OrgOperator, Sectors: []string{"credit_cards"}}},
	{"op-card2", auth.NewOrg{Name: "JP Payment Services (demo)", NameJA: "JPペイメント（デモ）", Kind: auth.OrgOperator, Sectors: []string{"credit_cards"}}},
	{"op-port1", auth.NewOrg{Name: "Yokohama Container Terminal (demo)", NameJA: "横浜コンテナターミナル（デモ）", Kind: auth.OrgOperator, Sectors: []string{"ports"}}},
	{"op-port2", auth.NewOrg{Name: "Kobe Port Terminal (demo)", NameJA: "神戸港ターミナル（デモ）", Kind: auth.OrgOperator, Sectors: []string{"ports"}}},
}

var others = []orgSpec{
	{"nco", auth.NewOrg{Name: "National Cybersecurity Office, Cabinet Office", NameJA: "内閣府 国家サイバー統括室", Kind: auth.OrgCabinetOff}},
	{"commission", auth.NewOrg{Name: "Cyber Communications Information Supervisory Commission", NameJA: "サイバー通信情報監理委員会", Kind: auth.OrgCommission}},
	{"npa", auth.NewOrg{Name: "National Police Agency", NameJA: "警察庁", Kind: auth.OrgPolice, Police: auth.PoliceNational}},
	{"mpd", auth.NewOrg{Name: "Tokyo Metropolitan Police Department", NameJA: "警視庁", Kind: auth.OrgPolice, Police: auth.PolicePrefectural}},
	{"mod", auth.NewOrg{Name: "Ministry of Defense", NameJA: "防衛省", Kind: auth.OrgMOD}},
	{"sdf", auth.NewOrg{Name: "Japan Self-Defense Forces Cyber Defense Command", NameJA: "自衛隊サイバー防衛隊", Kind: auth.OrgSDF}},
	{"kantei", auth.NewOrg{Name: "Prime Minister's Office", NameJA: "内閣総理大臣官邸", Kind: auth.OrgCabinet}},
	{"npsc", auth.NewOrg{Name: "National Public Safety Commission", NameJA: "国家公安委員会", Kind: auth.OrgNPSC}},
	{"mofa", auth.NewOrg{Name: "Ministry of Foreign Affairs", NameJA: "外務省", Kind: auth.OrgMOFA}},
	{"vendor", auth.NewOrg{Name: "Example Network Devices K.K. (demo)", NameJA: "例示ネットワーク機器株式会社（デモ）", Kind: auth.OrgVendor}},
	{"agency", auth.NewOrg{Name: "Digital Agency", NameJA: "デジタル庁", Kind: auth.OrgAgency}},
	{"sysadmin", auth.NewOrg{Name: markerOrg, NameJA: "ACD システム管理", Kind: auth.OrgSystemAdmin}},
}

var users = []userSpec{
	{"operator", "Operator (Kanto Electric)", "op-electric", []auth.Role{auth.RoleOperator}},
	{"operator-bank", "Operator (Sakura Bank)", "op-bank", []auth.Role{auth.RoleOperator}},
	{"ministry-meti", "METI sector desk", "meti", []auth.Role{auth.RoleMinistry}},
	{"ministry-mlit", "MLIT sector desk", "mlit", []auth.Role{auth.RoleMinistry}},
	{"analyst", "Cabinet Office analyst", "nco", []auth.Role{auth.RoleAnalyst}},
	{"analyst2", "Cabinet Office analyst (reviewer)", "nco", []auth.Role{auth.RoleAnalyst}},
	{"chair", "Commission chair", "commission", []auth.Role{auth.RoleCommissionChair}},
	{"member1", "Commission member 1", "commission", []auth.Role{auth.RoleCommissionMember}},
	{"member2", "Commission member 2", "commission", []auth.Role{auth.RoleCommissionMember}},
	{"member3", "Commission member 3", "commission", []auth.Role{auth.RoleCommissionMember}},
	{"member4", "Commission member 4", "commission", []auth.Role{auth.RoleCommissionMember}},
	{"officer-npa", "NPA designated officer", "npa", []auth.Role{auth.RoleOfficer}},
	{"officer-pref", "Tokyo MPD designated officer", "mpd", []auth.Role{auth.RoleOfficer}},
	{"officer-sdf", "SDF officer", "sdf", []auth.Role{auth.RoleOfficer}},
	{"commander-npa", "NPA Commissioner General", "npa", []auth.Role{auth.RoleCommander}},
	{"commander-pref", "Tokyo MPD Superintendent General", "mpd", []auth.Role{auth.RoleCommander}},
	{"commander-mod", "Minister of Defense", "mod", []auth.Role{auth.RoleCommander}},
	{"cabinet", "Prime Minister's office", "kantei", []auth.Role{auth.RoleCabinet}},
	{"npsc", "National Public Safety Commission", "npsc", []auth.Role{auth.RoleNPSC}},
	{"mofa", "MOFA cyber policy desk", "mofa", []auth.Role{auth.RoleMOFA}},
	{"vendor", "Vendor PSIRT", "vendor", []auth.Role{auth.RoleVendor}},
	{"council", "Council member (Digital Agency)", "agency", []auth.Role{auth.RoleCouncil}},
	{"admin", "System administrator", "sysadmin", []auth.Role{auth.RoleAdmin}},
	{"admin2", "Second system administrator", "sysadmin", []auth.Role{auth.RoleAdmin}},
}

// Result says what Load did and how to log in.
type Result struct {
	OrgsCreated, UsersCreated int
	Password                  string
	Usernames                 []string
	// Privileged lists the demo users who must enrol a TOTP app at their
	// first login.
	Privileged []string
}

// ErrNotDemo means the database holds accounts that the demo did not make:
// demo users bypass the separation of duties and share a printed password,
// so they must never be added to a real system.
var ErrNotDemo = errors.New("the database already holds accounts that are not demo data; --demo only runs on an empty or demo database")

// markerOrg is the organisation whose presence marks a demo database.
const markerOrg = "ACD System Administration"

// Load creates what is missing. dataDir holds the demo password file. It
// returns ErrNotDemo on a database with other accounts.
func Load(ctx context.Context, svc *auth.Service, dataDir string) (*Result, error) {
	existing, err := svc.Users(ctx)
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		if _, err := svc.OrgByName(ctx, markerOrg); errors.Is(err, auth.ErrNotFound) {
			return nil, ErrNotDemo
		} else if err != nil {
			return nil, err
		}
	}
	pw, err := password(dataDir)
	if err != nil {
		return nil, err
	}
	res := &Result{Password: pw}
	ids := map[string]string{}
	var specs []orgSpec
	for _, m := range sector.Ministries() {
		specs = append(specs, orgSpec{m.Code, auth.NewOrg{Name: m.Name, NameJA: m.NameJA, Kind: auth.OrgMinistry, Sectors: sector.OfMinistry(m.Code)}})
	}
	specs = append(specs, operators...)
	specs = append(specs, moreOperators...)
	specs = append(specs, others...)
	for _, s := range specs {
		o, err := svc.OrgByName(ctx, s.org.Name)
		if errors.Is(err, auth.ErrNotFound) {
			o, err = svc.CreateOrg(ctx, auth.CLI("demo"), s.org)
			res.OrgsCreated++
		}
		if err != nil {
			return nil, fmt.Errorf("demo org %s: %w", s.org.Name, err)
		}
		ids[s.key] = o.ID
	}
	for _, u := range users {
		res.Usernames = append(res.Usernames, u.username)
		if (auth.User{Roles: u.roles}).Privileged() {
			res.Privileged = append(res.Privileged, u.username)
		}
		if _, err := svc.UserByUsername(ctx, u.username); err == nil {
			continue
		} else if !errors.Is(err, auth.ErrNotFound) {
			return nil, err
		}
		_, err := svc.SeedUser(ctx, auth.NewUser{
			Username: u.username, DisplayName: u.display, Email: u.username + "@demo.acd.invalid",
			OrgID: ids[u.org], Roles: u.roles, Password: pw,
		})
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", u.username, err)
		}
		res.UsersCreated++
	}
	return res, nil
}

// password returns the demo password, creating it on first use.
func password(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "demo-password")
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	raw := make([]byte, 12)
	if _, err := io.ReadFull(rand.Reader, raw); err != nil {
		return "", err
	}
	pw := "demo-" + base64.RawURLEncoding.EncodeToString(raw)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
		return "", err
	}
	return pw, nil
}

// Print writes how to log in.
func (r *Result) Print(w io.Writer, baseURL string) {
	fmt.Fprintf(w, "\nDemo data loaded (%d organisations and %d users new this start).\n", r.OrgsCreated, r.UsersCreated)
	fmt.Fprintf(w, "Open %s/login and sign in as any of:\n  %s\n", baseURL, strings.Join(r.Usernames, ", "))
	fmt.Fprintf(w, "Password for every demo user: %s\n", r.Password)
	fmt.Fprintf(w, "Privileged accounts (%s) enrol an authenticator app (TOTP) at their first login.\n\n", strings.Join(r.Privileged, ", "))
}
