package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/reporting/assetfile"
	"github.com/acd-platform/acd/internal/reporting/reportapi"
)

// assetForm is the asset notification form (§4) as the user typed it.
type assetForm struct {
	Name, Product, Vendor, Model, Version, CPE, PURL string
	Role, RoleDetail                                 string
	InternetFacing                                   bool
	Facility, Introduced, SupportEnd                 string
	Err                                              fieldErr
}

func assetFormOf(a reporting.AssetInput) assetForm {
	return assetForm{Name: a.Name, Product: a.Product, Vendor: a.Vendor, Model: a.Model, Version: a.Version,
		CPE: a.CPE, PURL: a.PURL, Role: string(a.Role), RoleDetail: a.RoleDetail, InternetFacing: a.InternetFacing,
		Facility: a.Facility, Introduced: a.Introduced.String(), SupportEnd: a.SupportEnd.String()}
}

func readAssetForm(r *http.Request) assetForm {
	v := r.PostFormValue
	return assetForm{Name: v("name"), Product: v("product"), Vendor: v("vendor"), Model: v("model"), Version: v("version"),
		CPE: v("cpe"), PURL: v("purl"), Role: v("role"), RoleDetail: v("role_detail"), InternetFacing: v("internet_facing") != "",
		Facility: v("facility"), Introduced: v("introduced"), SupportEnd: v("support_end")}
}

// input returns the notification the form says; the service checks it.
func (f assetForm) input() (reporting.AssetInput, *reporting.FieldError) {
	in := reporting.AssetInput{Name: f.Name, Product: f.Product, Vendor: f.Vendor, Model: f.Model, Version: f.Version,
		CPE: f.CPE, PURL: f.PURL, Role: reporting.AssetRole(f.Role), RoleDetail: f.RoleDetail, InternetFacing: f.InternetFacing,
		Facility: f.Facility}
	for _, d := range []struct {
		field, v string
		dst      *reporting.Date
	}{{"introduced", f.Introduced, &in.Introduced}, {"support_end", f.SupportEnd, &in.SupportEnd}} {
		if strings.TrimSpace(d.v) == "" {
			continue
		}
		t, err := reporting.ParseDate(strings.TrimSpace(d.v))
		if err != nil {
			return in, &reporting.FieldError{Field: d.field, Msg: err.Error()}
		}
		*d.dst = t
	}
	return in, nil
}

// importResult is what an import did, shown on the assets page.
type importResult struct {
	File     string
	DryRun   bool
	Accepted []reporting.ImportResult
	Rejected []reportapi.Rejected
	Error    string
}

type assetsData struct {
	N      names
	Form   assetForm
	Roles  []reporting.AssetRole
	Detail *assetDetail // set on an asset's own page

	// The list page's.
	Assets  []reporting.CriticalComputer
	Retired bool // retired assets are listed too
	Others  bool // the list holds other organisations' assets
	Import  *importResult
}

// assetDetail is what an asset's page shows.
type assetDetail struct {
	Asset    reporting.CriticalComputer
	Versions []reporting.AssetVersion
	// Own: the viewer's organisation notified it, so may change it.
	Own    bool
	Reason string // the retirement reason as typed
}

func (s *Site) assetsPage(w http.ResponseWriter, r *http.Request, status int, f assetForm, imp *importResult, msg ...string) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	retired := r.URL.Query().Get("retired") != ""
	as, err := s.cfg.Reporting.Assets(r.Context(), p, reporting.AssetFilter{IncludeRetired: retired})
	if err != nil {
		return pageError(err)
	}
	return s.render(w, r, status, "assets", "assets.title", assetsData{N: n, Assets: as, Retired: retired, Form: f,
		Roles: reporting.AssetRoles, Import: imp, Others: p.OrgKind != auth.OrgOperator}, msg...)
}

func (s *Site) assets(w http.ResponseWriter, r *http.Request) error {
	return s.assetsPage(w, r, http.StatusOK, assetForm{}, nil)
}

func (s *Site) assetCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := readAssetForm(r)
	in, ferr := f.input()
	var a reporting.CriticalComputer
	var err error
	if ferr != nil {
		err = ferr
	} else {
		a, err = s.cfg.Reporting.CreateAsset(r.Context(), principal(r), in)
	}
	if err != nil {
		fail, ok := s.formFailed(r, err, nil)
		if !ok {
			return pageError(err)
		}
		f.Err = fail.field
		return s.assetsPage(w, r, fail.status, f, nil, "", fail.msg)
	}
	http.Redirect(w, r, "/assets/"+a.ID+"?done=created", http.StatusSeeOther)
	return nil
}

// importFormat picks the media type of an uploaded asset list: the user's
// choice, else by the file's extension, else by its first byte.
func importFormat(choice, name string, body []byte) string {
	switch choice {
	case "csv":
		return "text/csv"
	case "cyclonedx":
		return "application/vnd.cyclonedx+json"
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".csv":
		return "text/csv"
	case ".json":
		return "application/vnd.cyclonedx+json"
	}
	if t := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return "application/vnd.cyclonedx+json"
	}
	return "text/csv"
}

func (s *Site) assetImport(w http.ResponseWriter, r *http.Request) error {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.assetsPage(w, r, http.StatusBadRequest, assetForm{}, nil, "", s.t(r, "assets.import.nofile"))
	}
	defer file.Close()
	body, err := io.ReadAll(file) // in memory already: the router bounds the form
	if err != nil {
		return api.BadRequest("file", "read upload")
	}
	res := &importResult{File: hdr.Filename, DryRun: r.PostFormValue("dry_run") != ""}
	// A CycloneDX component without acd: properties takes these.
	def := assetfile.Defaults{Role: reporting.AssetRole(r.PostFormValue("default_role")), Facility: strings.TrimSpace(r.PostFormValue("default_facility")),
		InternetFacing: r.PostFormValue("default_internet_facing") != ""}
	rows, rejected, err := reportapi.ImportFile(importFormat(r.PostFormValue("format"), hdr.Filename, body), body, def)
	if err == nil {
		res.Rejected = rejected
		res.Accepted, err = s.cfg.Reporting.ImportAssets(r.Context(), principal(r), rows, res.DryRun)
	}
	if err != nil {
		fail, ok := s.formFailed(r, err, nil)
		if !ok {
			return pageError(err)
		}
		res.Accepted, res.Error = nil, err.Error()
		if ae, ok := errors.AsType[*api.Error](err); ok {
			res.Error = ae.Message
		}
		return s.assetsPage(w, r, fail.status, assetForm{}, res, "", fail.msg)
	}
	flash := s.t(r, "assets.import.done", len(res.Accepted), len(res.Rejected))
	if res.DryRun {
		flash = s.t(r, "assets.import.checked", len(res.Accepted), len(res.Rejected))
	}
	return s.assetsPage(w, r, http.StatusOK, assetForm{}, res, flash)
}

// assetPage renders an asset's page; f is the update form as typed (nil:
// the asset as it stands).
func (s *Site) assetPage(w http.ResponseWriter, r *http.Request, status int, f *assetForm, reason string, msg ...string) error {
	p := principal(r)
	a, vs, err := s.cfg.Reporting.Asset(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return pageError(err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := assetsData{N: n, Roles: reporting.AssetRoles, Detail: &assetDetail{Asset: a, Versions: vs, Own: a.OrgID == p.OrgID, Reason: reason}}
	if f != nil {
		d.Form = *f
	} else {
		d.Form = assetFormOf(a.AssetInput)
	}
	if len(msg) == 0 {
		switch done := r.URL.Query().Get("done"); done {
		case "created", "updated", "retired":
			msg = []string{s.t(r, "assets.done."+done)}
		}
	}
	return s.render(w, r, status, "assets", "asset.title", d, msg...)
}

func (s *Site) asset(w http.ResponseWriter, r *http.Request) error {
	return s.assetPage(w, r, http.StatusOK, nil, "")
}

func (s *Site) assetUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := readAssetForm(r)
	in, ferr := f.input()
	var err error
	if ferr != nil {
		err = ferr
	} else {
		_, err = s.cfg.Reporting.UpdateAsset(r.Context(), principal(r), r.PathValue("id"), in)
	}
	if err != nil {
		fail, ok := s.formFailed(r, err, nil)
		if !ok {
			return pageError(err)
		}
		f.Err = fail.field
		return s.assetPage(w, r, fail.status, &f, "", "", fail.msg)
	}
	http.Redirect(w, r, "/assets/"+r.PathValue("id")+"?done=updated", http.StatusSeeOther)
	return nil
}

func (s *Site) assetRetire(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	if _, err := s.cfg.Reporting.RetireAsset(r.Context(), principal(r), r.PathValue("id"), reason); err != nil {
		fail, ok := s.formFailed(r, err, func(f string) (string, string) { return "retire_" + f, "" })
		if !ok {
			return pageError(err)
		}
		a, _, err := s.cfg.Reporting.Asset(r.Context(), principal(r), r.PathValue("id"))
		if err != nil {
			return pageError(err)
		}
		f := assetFormOf(a.AssetInput)
		f.Err = fail.field
		return s.assetPage(w, r, fail.status, &f, reason, "", fail.msg)
	}
	http.Redirect(w, r, "/assets/"+r.PathValue("id")+"?done=retired", http.StatusSeeOther)
	return nil
}

type noticesData struct {
	N       names
	Notices []reporting.AssetNotice
	Cabinet bool // the viewer receives the Cabinet Office's forwarded copies
}

func (s *Site) assetNotices(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	ns, err := s.cfg.Reporting.AssetNotices(r.Context(), p, 0)
	if err != nil {
		return pageError(err)
	}
	n, err := s.names(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "asset_notices", "notices.title", noticesData{N: n, Notices: ns, Cabinet: p.Has(auth.RoleAnalyst)})
}
