package vendors

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/product"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/textfield"
)

// ProductInput is a product as its vendor registers it.
type ProductInput struct {
	// Name is the product's name as the vendor sells it, "PAN-OS".
	Name string `json:"name"`
	// CPE is the product's CPE 2.3 name; its vendor and product
	// attributes identify the product in vulnerability records (the rest
	// is ignored): "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*".
	CPE string `json:"cpe"`
	// RecordVendor and RecordProduct are the names CVE records give the
	// product's vendor and product when they differ from the CPE's ("Palo
	// Alto Networks", "PAN-OS"); compared without regard to case.
	RecordVendor  string `json:"record_vendor,omitempty"`
	RecordProduct string `json:"record_product,omitempty"`
	// SupportEnds is the date the vendor stops supporting the product
	// (security fixes included); "" if not stated.
	SupportEnds string `json:"support_ends,omitempty"`
	// SupportPolicy says, in words or as a URL, how long the vendor
	// supports each version.
	SupportPolicy string `json:"support_policy,omitempty"`
}

// Product is a vendor's registered product.
type Product struct {
	ID    string `json:"id"`
	OrgID string `json:"org_id"`
	ProductInput
	// CPEVendor and CPEProduct are the CPE's vendor and product
	// attributes, lower case, as vulnerability records are matched on.
	CPEVendor  string    `json:"cpe_vendor"`
	CPEProduct string    `json:"cpe_product"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Normalize checks a product's input and puts it in canonical form.
func (in *ProductInput) Normalize() error {
	for _, f := range []struct {
		name     string
		v        *string
		required bool
	}{{"name", &in.Name, true}, {"cpe", &in.CPE, true}, {"record_vendor", &in.RecordVendor, false},
		{"record_product", &in.RecordProduct, false}, {"support_ends", &in.SupportEnds, false}} {
		*f.v = strings.TrimSpace(*f.v)
		if err := textfield.CheckLine(f.name, *f.v, f.required); err != nil {
			return err
		}
	}
	in.SupportPolicy = strings.TrimSpace(in.SupportPolicy)
	if err := textfield.Check("support_policy", in.SupportPolicy, 2000, false); err != nil {
		return err
	}
	c, err := product.ParseCPE(in.CPE)
	if err != nil {
		return svcerr.Fieldf("cpe", "%v", err)
	}
	if c.Vendor.Kind() != product.KindString || c.Product.Kind() != product.KindString || c.Vendor.HasWildcards() || c.Product.HasWildcards() {
		return svcerr.Fieldf("cpe", "%q: the vendor and product must be named, without wildcards", textfield.Cut(in.CPE, 120))
	}
	in.CPE = c.String()
	if (in.RecordVendor == "") != (in.RecordProduct == "") {
		return svcerr.Fieldf("record_product", "record_vendor and record_product go together")
	}
	if in.SupportEnds != "" {
		if _, err := time.Parse(time.DateOnly, in.SupportEnds); err != nil {
			return svcerr.Fieldf("support_ends", "%q is not a date (2027-03-31)", textfield.Cut(in.SupportEnds, 40))
		}
	}
	return nil
}

// cpeKey returns the lower-case CPE vendor and product of a normalised
// input.
func (in ProductInput) cpeKey() (vendor, prod string) {
	c, _ := product.ParseCPE(in.CPE)
	return c.Vendor.Text(), c.Product.Text()
}

// CreateProduct registers a product of p's organisation, a vendor.
func (s *Service) CreateProduct(ctx context.Context, p *auth.Principal, in ProductInput) (Product, error) {
	if !vendorStaff(p) {
		return Product{}, refuse(CodeNotVendor, "")
	}
	if err := in.Normalize(); err != nil {
		return Product{}, err
	}
	now := s.now()
	pr := Product{ID: newID("vpd_"), OrgID: p.OrgID, ProductInput: in, CreatedBy: p.UserID, CreatedAt: now, UpdatedAt: now}
	pr.CPEVendor, pr.CPEProduct = in.cpeKey()
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM vnd_products WHERE org_id = ? AND cpe_vendor = ? AND cpe_product = ?",
			pr.OrgID, pr.CPEVendor, pr.CPEProduct).Scan(&n); err != nil {
			return fmt.Errorf("check product: %w", err)
		}
		if n > 0 {
			return refuse(CodeProductExists, pr.CPEVendor+":"+pr.CPEProduct)
		}
		data, err := encode(pr)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO vnd_products (id, org_id, cpe_vendor, cpe_product, data) VALUES (?, ?, ?, ?, ?)",
			pr.ID, pr.OrgID, pr.CPEVendor, pr.CPEProduct, data); err != nil {
			return fmt.Errorf("save product: %w", err)
		}
		return s.audit(ctx, tx, p, "vendor.product_create", resProduct, pr.ID, pr)
	})
	if err != nil {
		return Product{}, err
	}
	return pr, nil
}

// UpdateProduct replaces product id of p's organisation.
func (s *Service) UpdateProduct(ctx context.Context, p *auth.Principal, id string, in ProductInput) (Product, error) {
	if !vendorStaff(p) {
		return Product{}, refuse(CodeNotVendor, "")
	}
	if err := in.Normalize(); err != nil {
		return Product{}, err
	}
	var out Product
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		pr, err := loadProduct(ctx, tx, id)
		if err != nil {
			return err
		}
		if pr.OrgID != p.OrgID {
			return svcerr.NotFoundf("product %q", textfield.Cut(id, 60))
		}
		pr.ProductInput, pr.UpdatedAt = in, s.now()
		pr.CPEVendor, pr.CPEProduct = in.cpeKey()
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM vnd_products WHERE org_id = ? AND cpe_vendor = ? AND cpe_product = ? AND id <> ?",
			pr.OrgID, pr.CPEVendor, pr.CPEProduct, pr.ID).Scan(&n); err != nil {
			return fmt.Errorf("check product: %w", err)
		}
		if n > 0 {
			return refuse(CodeProductExists, pr.CPEVendor+":"+pr.CPEProduct)
		}
		data, err := encode(pr)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE vnd_products SET cpe_vendor = ?, cpe_product = ?, data = ? WHERE id = ?",
			pr.CPEVendor, pr.CPEProduct, data, pr.ID); err != nil {
			return fmt.Errorf("save product: %w", err)
		}
		out = pr
		return s.audit(ctx, tx, p, "vendor.product_update", resProduct, pr.ID, pr)
	})
	return out, err
}

// Products lists products: a vendor's staff their organisation's, the
// Cabinet Office every vendor's or, with orgID, one vendor's.
func (s *Service) Products(ctx context.Context, p *auth.Principal, orgID string) ([]Product, error) {
	switch {
	case vendorStaff(p):
		orgID = p.OrgID
	case analyst(p):
	default:
		return []Product{}, nil
	}
	q, args := "SELECT data FROM vnd_products", []any{}
	if orgID != "" {
		q, args = q+" WHERE org_id = ?", append(args, orgID)
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY org_id, cpe_vendor, cpe_product", args...)
	ps, err := scanAll[Product](rows, err)
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	return ps, nil
}

func loadProduct(ctx context.Context, q store.Querier, id string) (Product, error) {
	var data string
	err := q.QueryRow(ctx, "SELECT data FROM vnd_products WHERE id = ?", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Product{}, svcerr.NotFoundf("product %q", textfield.Cut(id, 60))
	}
	if err != nil {
		return Product{}, fmt.Errorf("read product: %w", err)
	}
	var p Product
	return p, decode(data, &p)
}
