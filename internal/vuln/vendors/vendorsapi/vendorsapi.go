// Package vendorsapi serves §42 of the Act over JSON: vendors' products
// under /api/v1/vendor/products, the vendors a vulnerability concerns,
// and the vulnerability notices and requests to act with their answers
// under /api/v1/vendor/requests. docs/vendors.md has curl examples.
package vendorsapi

import (
	"net/http"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/vuln/vendors"
)

// maxBody bounds a request body.
const maxBody = 256 << 10

// ProductList is the body of GET /api/v1/vendor/products.
type ProductList struct {
	Products []vendors.Product `json:"products"`
}

// ConcernList is the body of GET /api/v1/vulns/{id}/vendors.
type ConcernList struct {
	Vendors []vendors.Concern `json:"vendors"`
}

// RequestList is the body of GET /api/v1/vendor/requests.
type RequestList struct {
	Requests []vendors.Request `json:"requests"`
}

// CloseInput is the body of POST /api/v1/vendor/requests/{id}/close.
type CloseInput struct {
	Reason string `json:"reason"`
}

type handlers struct{ svc *vendors.Service }

// Register adds the vendor routes to r.
func Register(r *api.Router, svc *vendors.Service) {
	h := &handlers{svc: svc}
	const tag = "vendors"
	r.Handle(api.Route{Pattern: "GET /api/v1/vendor/products", Action: auth.VendorRead, Tag: tag,
		Summary: "Vendors' products: a vendor its own, the Cabinet Office all (?org=)", Response: ProductList{}}, h.products)
	r.Handle(api.Route{Pattern: "POST /api/v1/vendor/products", Action: auth.VendorProductsWrite, Tag: tag,
		Summary: "Register a product of the caller's vendor organisation, with its CPE and support period", Request: vendors.ProductInput{},
		Response: vendors.Product{}}, h.createProduct)
	r.Handle(api.Route{Pattern: "PUT /api/v1/vendor/products/{id}", Action: auth.VendorProductsWrite, Tag: tag,
		Summary: "Replace a product of the caller's vendor organisation", Request: vendors.ProductInput{}, Response: vendors.Product{}}, h.updateProduct)
	r.Handle(api.Route{Pattern: "GET /api/v1/vulns/{id}/vendors", Action: auth.VendorNotify, Tag: tag,
		Summary:  "The vendors whose products a vulnerability names, the computers affected through them, and whether a notice or a request would be sent",
		Response: ConcernList{}}, h.concerned)
	r.Handle(api.Route{Pattern: "GET /api/v1/vendor/requests", Action: auth.VendorRead, Tag: tag,
		Summary: "Notices and requests to act (§42): a vendor its own, the Cabinet Office all (?vuln=, ?state=)", Response: RequestList{}}, h.requests)
	r.Handle(api.Route{Pattern: "POST /api/v1/vendor/requests", Action: auth.VendorNotify, Tag: tag,
		Summary:  "Send a vendor a vulnerability notice (§42(1)) or, when specified critical computers are affected, a request to act (§42(2)) with a deadline",
		Request:  vendors.SendInput{},
		Response: vendors.Request{}}, h.send)
	r.Handle(api.Route{Pattern: "GET /api/v1/vendor/requests/{id}", Action: auth.VendorRead, Tag: tag,
		Summary: "One notice or request with its answers and publication", Response: vendors.Request{}}, h.request)
	r.Handle(api.Route{Pattern: "POST /api/v1/vendor/requests/{id}/answer", Action: auth.VendorAnswer, Tag: tag,
		Summary:  "Answer a notice or request: affected or not, fixed versions, mitigation, investigation, end of support; publishes the mitigation",
		Request:  vendors.AnswerInput{},
		Response: vendors.Request{}}, h.answer)
	r.Handle(api.Route{Pattern: "POST /api/v1/vendor/requests/{id}/close", Action: auth.VendorNotify, Tag: tag,
		Summary: "Close a notice or request, with a reason", Request: CloseInput{}, Response: vendors.Request{}}, h.close)
}

// Error maps the vendor package's errors to API errors; the server's
// MapError calls it.
func Error(err error) *api.Error { return svcerr.API(err) }

func principal(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }

func (h *handlers) products(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.Products(r.Context(), principal(r), r.URL.Query().Get("org"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, ProductList{Products: ps})
}

func (h *handlers) createProduct(w http.ResponseWriter, r *http.Request) error {
	var in vendors.ProductInput
	if err := api.DecodeLimit(r, &in, maxBody); err != nil {
		return err
	}
	p, err := h.svc.CreateProduct(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, p)
}

func (h *handlers) updateProduct(w http.ResponseWriter, r *http.Request) error {
	var in vendors.ProductInput
	if err := api.DecodeLimit(r, &in, maxBody); err != nil {
		return err
	}
	p, err := h.svc.UpdateProduct(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, p)
}

func (h *handlers) concerned(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.svc.Concerned(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, ConcernList{Vendors: cs})
}

func (h *handlers) requests(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	state := vendors.State(q.Get("state"))
	switch state {
	case "", vendors.StateSent, vendors.StateAnswered, vendors.StateLapsed, vendors.StateClosed:
	default:
		return api.BadRequest("state", "want sent, answered, lapsed or closed")
	}
	rs, err := h.svc.Requests(r.Context(), principal(r), q.Get("vuln"), state)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, RequestList{Requests: rs})
}

func (h *handlers) send(w http.ResponseWriter, r *http.Request) error {
	var in vendors.SendInput
	if err := api.DecodeLimit(r, &in, maxBody); err != nil {
		return err
	}
	req, err := h.svc.Send(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, req)
}

func (h *handlers) request(w http.ResponseWriter, r *http.Request) error {
	req, err := h.svc.Request(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, req)
}

func (h *handlers) answer(w http.ResponseWriter, r *http.Request) error {
	var in vendors.AnswerInput
	if err := api.DecodeLimit(r, &in, maxBody); err != nil {
		return err
	}
	req, err := h.svc.Answer(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, req)
}

func (h *handlers) close(w http.ResponseWriter, r *http.Request) error {
	var in CloseInput
	if err := api.DecodeLimit(r, &in, maxBody); err != nil {
		return err
	}
	req, err := h.svc.Close(r.Context(), principal(r), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, req)
}
