package assetfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/acd-platform/acd/internal/reporting"
)

// Defaults are the values ReadCycloneDX gives an asset whose component
// has no property saying otherwise.
type Defaults struct {
	// Role is the role of components without an acd:role property; ""
	// leaves them without one, so they are rejected.
	Role reporting.AssetRole
	// Facility is the facility of components without acd:facility; ""
	// leaves them without one, so they are rejected.
	Facility string
	// InternetFacing is used for components without acd:internet_facing.
	InternetFacing bool
}

// The component properties ReadCycloneDX reads, each into the
// reporting.AssetInput field of the same name. Any other property whose
// name starts with "acd:" is an error (a misspelling would otherwise be
// lost); other properties are ignored.
const (
	PropName           = "acd:name"
	PropRole           = "acd:role"
	PropRoleDetail     = "acd:role_detail"
	PropFacility       = "acd:facility"
	PropInternetFacing = "acd:internet_facing"
	PropModel          = "acd:model"
	PropIntroduced     = "acd:introduced"
	PropSupportEnd     = "acd:support_end"
)

// ReadCycloneDX reads assets from a CycloneDX JSON BOM, specVersion 1.4
// to 1.7, one asset per component: the top-level components and,
// recursively, the components nested in them, in document order. The
// metadata.component (and anything nested in it) is the system the BOM
// describes, not one of its parts, and is skipped: list the system itself
// among the components to notify it. Components of every type are read
// alike: a library or framework becomes an asset as a device or firmware
// does.
//
// A component gives the asset:
//
//   - product: name;
//   - vendor: supplier.name, else manufacturer.name, else publisher, else
//     group;
//   - version, cpe, purl: the fields of the same names;
//   - name: property acd:name, else bom-ref, else the product;
//   - role, facility, internet_facing: properties acd:role, acd:facility,
//     acd:internet_facing (true/false, yes/no, 1/0), else defaults;
//   - role_detail, model, introduced, support_end (YYYY-MM-DD): properties
//     acd:role_detail, acd:model, acd:introduced, acd:support_end.
//
// Each asset is normalized with reporting.AssetInput.Normalize; a bad
// component is returned in rejected with its index and bom-ref, and the
// others are still read. A component with an unknown "acd:" property, an
// "acd:" property given twice, or a name an earlier component has is
// rejected too.
//
// err is for the BOM as a whole: not JSON (with the byte offset, line and
// column), a JSON value of the wrong type (with the field), not a
// CycloneDX BOM, a specVersion outside 1.4–1.7, more than MaxRows
// components, more than MaxFileBytes, bad defaults, or a read error. Then
// rows and rejected are nil.
func ReadCycloneDX(r io.Reader, defaults Defaults) (rows []Row, rejected []Rejected, err error) {
	rows, rejected, err = readCycloneDX(r, defaults)
	if err != nil {
		return nil, nil, fmt.Errorf("read CycloneDX: %w", err)
	}
	return rows, rejected, nil
}

func readCycloneDX(r io.Reader, defaults Defaults) ([]Row, []Rejected, error) {
	if role := reporting.AssetRole(strings.ToLower(strings.TrimSpace(string(defaults.Role)))); role != "" && !slices.Contains(reporting.AssetRoles, role) {
		return nil, nil, fmt.Errorf("defaults: role %s is not one of the asset roles", quoteCut(string(defaults.Role)))
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, nil, fmt.Errorf("larger than %d bytes", MaxFileBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))

	var bom cdx.BOM
	if err := json.Unmarshal(data, &bom); err != nil {
		return nil, nil, jsonError(data, err)
	}
	if bom.BOMFormat != "CycloneDX" {
		return nil, nil, fmt.Errorf("bomFormat is %s, want \"CycloneDX\"", quoteCut(bom.BOMFormat))
	}
	if bom.SpecVersion < cdx.SpecVersion1_4 || bom.SpecVersion > cdx.SpecVersion1_7 {
		return nil, nil, fmt.Errorf("specVersion %s: want 1.4, 1.5, 1.6 or 1.7", specVersionName(bom.SpecVersion))
	}

	set := newRowSet("component")
	// Walk depth first with an explicit stack, so that deep nesting costs
	// no Go stack; a component comes before those nested in it.
	var stack []*cdx.Component
	push := func(cs *[]cdx.Component) {
		if cs == nil {
			return
		}
		for i := len(*cs) - 1; i >= 0; i-- {
			stack = append(stack, &(*cs)[i])
		}
	}
	push(bom.Components)
	for index := 1; len(stack) > 0; index++ {
		if index > MaxRows {
			return nil, nil, fmt.Errorf("more than %d components; split the BOM", MaxRows)
		}
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		push(c.Components)
		a, field, reason := assetFromComponent(c, defaults)
		if reason != "" {
			set.reject(index, c.BOMRef, field, reason)
			continue
		}
		set.add(index, c.BOMRef, a)
	}
	return set.rows, set.rejected, nil
}

// assetFromComponent maps one component to an asset (see ReadCycloneDX).
// It returns a field and reason when a property cannot be read.
func assetFromComponent(c *cdx.Component, d Defaults) (a reporting.AssetInput, field, reason string) {
	a = reporting.AssetInput{
		Product:        c.Name,
		Version:        c.Version,
		CPE:            c.CPE,
		PURL:           c.PackageURL,
		Role:           d.Role,
		Facility:       d.Facility,
		InternetFacing: d.InternetFacing,
	}
	switch {
	case c.Supplier != nil && strings.TrimSpace(c.Supplier.Name) != "":
		a.Vendor = c.Supplier.Name
	case c.Manufacturer != nil && strings.TrimSpace(c.Manufacturer.Name) != "":
		a.Vendor = c.Manufacturer.Name
	case strings.TrimSpace(c.Publisher) != "":
		a.Vendor = c.Publisher
	default:
		a.Vendor = c.Group
	}
	a.Name = c.BOMRef
	if strings.TrimSpace(a.Name) == "" {
		a.Name = c.Name
	}

	if c.Properties == nil {
		return a, "", ""
	}
	seen := map[string]bool{}
	for _, p := range *c.Properties {
		if !strings.HasPrefix(p.Name, "acd:") {
			continue
		}
		if seen[p.Name] {
			return a, "properties", fmt.Sprintf("%s given more than once", quoteCut(p.Name))
		}
		seen[p.Name] = true
		switch p.Name {
		case PropName:
			a.Name = p.Value
		case PropRole:
			a.Role = reporting.AssetRole(p.Value)
		case PropRoleDetail:
			a.RoleDetail = p.Value
		case PropFacility:
			a.Facility = p.Value
		case PropModel:
			a.Model = p.Value
		case PropInternetFacing:
			b, ok := parseBool(p.Value)
			if !ok {
				return a, "internet_facing", fmt.Sprintf("property %s is %s: want true, false, yes, no, 1 or 0", PropInternetFacing, quoteCut(p.Value))
			}
			a.InternetFacing = b
		case PropIntroduced, PropSupportEnd:
			dt, err := parseDate(p.Value)
			if err != nil {
				field := strings.TrimPrefix(p.Name, "acd:")
				return a, field, fmt.Sprintf("property %s is %s: want YYYY-MM-DD", p.Name, quoteCut(p.Value))
			}
			if p.Name == PropIntroduced {
				a.Introduced = dt
			} else {
				a.SupportEnd = dt
			}
		default:
			return a, "properties", fmt.Sprintf("unknown property %s; the acd: properties are %s", quoteCut(p.Name),
				strings.Join([]string{PropName, PropRole, PropRoleDetail, PropFacility, PropInternetFacing, PropModel, PropIntroduced, PropSupportEnd}, ", "))
		}
	}
	return a, "", ""
}

// jsonError describes a decoding error with where in data it happened.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("not JSON: %s: %v", where(data, syn.Offset), syn)
	case errors.As(err, &typ):
		return fmt.Errorf("%s: field %q: JSON %s where %s belongs", where(data, typ.Offset), typ.Field, typ.Value, typ.Type)
	case errors.Is(err, cdx.ErrInvalidSpecVersion):
		return errors.New("specVersion: want 1.4, 1.5, 1.6 or 1.7")
	}
	return fmt.Errorf("decode: %w", err)
}

// where says where in data a decoding error happened, given the number of
// bytes read before it (encoding/json's Offset): the line and column
// (from 1) and the byte offset (from 0) of the last byte read, which is
// the offending character of a syntax error and the end of a value of the
// wrong type.
func where(data []byte, read int64) string {
	pos := min(max(read-1, 0), int64(len(data)))
	before := data[:pos]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(pos) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return fmt.Sprintf("line %d, column %d (byte offset %d)", line, col, pos)
}

// specVersionName names a SpecVersion for a message.
func specVersionName(v cdx.SpecVersion) string {
	if v == 0 {
		return "missing"
	}
	return v.String()
}
