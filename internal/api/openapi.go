package api

import (
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Info describes the API in the OpenAPI document.
type Info struct {
	Title       string // default "ACD"
	Version     string // default "dev"
	Description string
	// Servers are base URLs such as "https://acd.example.jp"; optional.
	Servers []string
	// SessionCookie is the name of the session cookie, for the cookie
	// security scheme; default "acd_session".
	SessionCookie string
}

// OpenAPI returns an OpenAPI 3.1 document (JSON) of the router's API routes
// (Kind API; pages are left out). Each operation carries the route's summary
// and tag, its path parameters, request and response schemas made by
// reflection from Route.Request and Route.Response, the shared error
// envelope for 4XX and 5XX, and "x-acd-action" naming its action. Named
// struct types become components/schemas by type name.
//
// An operation the Authorizer allows to the public lists anonymous access
// ({}) among its security requirements; the others need the bearer token or
// the session cookie.
func (rtr *Router) OpenAPI(info Info) ([]byte, error) {
	if info.Title == "" {
		info.Title = "ACD"
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	if info.SessionCookie == "" {
		info.SessionCookie = "acd_session"
	}
	g := newSchemaGen()
	doc := oaDoc{
		OpenAPI: "3.1.0",
		Info:    oaInfo{Title: info.Title, Version: info.Version, Description: info.Description},
		Paths:   make(map[string]map[string]*oaOperation),
		Components: oaComponents{
			Schemas: g.components,
			Responses: map[string]oaResponse{
				errorResponseName: {
					Description: "Error; see the code. 4XX: the request was refused; 5XX: the server failed (the message hides detail).",
					Content:     map[string]oaMedia{"application/json": {Schema: &oaSchema{Ref: schemaRef(errorSchemaName)}}},
				},
			},
			SecuritySchemes: map[string]oaSecurityScheme{
				"bearer":  {Type: "http", Scheme: "bearer", Description: "API token"},
				"session": {Type: "apiKey", In: "cookie", Name: info.SessionCookie, Description: "browser session; unsafe methods also need the X-CSRF-Token header"},
			},
		},
		Security: []map[string][]string{{"bearer": {}}, {"session": {}}},
	}
	for _, s := range info.Servers {
		doc.Servers = append(doc.Servers, oaServer{URL: s})
	}
	var tags []string
	for _, rt := range rtr.Routes() {
		if rt.Kind != API {
			continue
		}
		method, _, pattern, err := splitPattern(rt.Pattern)
		if err != nil {
			return nil, fmt.Errorf("route %q: %w", rt.Pattern, err)
		}
		m := strings.ToLower(method)
		if !slices.Contains([]string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}, m) {
			return nil, fmt.Errorf("route %q: method %s has no OpenAPI operation", rt.Pattern, method)
		}
		p, params := openAPIPath(pattern)
		if doc.Paths[p] == nil {
			doc.Paths[p] = make(map[string]*oaOperation)
		}
		if doc.Paths[p][m] != nil {
			return nil, fmt.Errorf("route %q: same OpenAPI path and method as an earlier route", rt.Pattern)
		}
		op := &oaOperation{
			OperationID: operationID(m, p),
			Summary:     rt.Summary,
			Action:      string(rt.Action),
			Responses:   make(map[string]oaResponse),
		}
		if rt.Tag != "" {
			op.Tags = []string{rt.Tag}
			if !slices.Contains(tags, rt.Tag) {
				tags = append(tags, rt.Tag)
			}
		}
		for _, name := range params {
			op.Parameters = append(op.Parameters, oaParam{Name: name, In: "path", Required: true, Schema: &oaSchema{Type: "string"}})
		}
		if rt.Request != nil {
			op.RequestBody = &oaRequestBody{Required: true, Content: map[string]oaMedia{
				"application/json": {Schema: g.schema(reflect.TypeOf(rt.Request))},
			}}
		}
		status := rt.Status
		switch {
		case status == 0 && rt.Response == nil:
			status = http.StatusNoContent
		case status == 0:
			status = http.StatusOK
		}
		ok := oaResponse{Description: http.StatusText(status)}
		if rt.Response != nil {
			ok.Content = map[string]oaMedia{"application/json": {Schema: g.schema(reflect.TypeOf(rt.Response))}}
		}
		op.Responses[fmt.Sprint(status)] = ok
		op.Responses["4XX"] = oaResponse{Ref: "#/components/responses/" + errorResponseName}
		op.Responses["5XX"] = oaResponse{Ref: "#/components/responses/" + errorResponseName}
		if rtr.cfg.Authorizer.Allow(nil, rt.Action) {
			op.Security = &[]map[string][]string{{}, {"bearer": {}}, {"session": {}}}
		}
		doc.Paths[p][m] = op
	}
	slices.Sort(tags)
	for _, t := range tags {
		doc.Tags = append(doc.Tags, oaTag{Name: t})
	}
	return json.MarshalIndent(doc, "", "  ")
}

const (
	errorSchemaName   = "ErrorEnvelope"
	errorResponseName = "Error"
)

var wildcardRE = regexp.MustCompile(`\{([^}]*)\}`)

// openAPIPath converts a ServeMux path pattern to an OpenAPI path and its
// parameter names: "{id}" stays, "{rest...}" becomes "{rest}" (OpenAPI has
// no multi-segment parameter), and the end anchor "{$}" goes.
func openAPIPath(pattern string) (string, []string) {
	var params []string
	p := wildcardRE.ReplaceAllStringFunc(pattern, func(w string) string {
		name := strings.TrimSuffix(w[1:len(w)-1], "...")
		if name == "$" {
			return ""
		}
		params = append(params, name)
		return "{" + name + "}"
	})
	return p, params
}

var nonIdentRE = regexp.MustCompile(`[^A-Za-z0-9]+`)

// operationID makes an ID like "get_api_v1_users_id" from a method and path.
func operationID(method, p string) string {
	return method + strings.TrimRight("_"+strings.Trim(nonIdentRE.ReplaceAllString(p, "_"), "_"), "_")
}

func schemaRef(name string) string { return "#/components/schemas/" + name }

// The OpenAPI document, as much of it as ACD writes.
type (
	oaDoc struct {
		OpenAPI    string                             `json:"openapi"`
		Info       oaInfo                             `json:"info"`
		Servers    []oaServer                         `json:"servers,omitempty"`
		Tags       []oaTag                            `json:"tags,omitempty"`
		Security   []map[string][]string              `json:"security"`
		Paths      map[string]map[string]*oaOperation `json:"paths"`
		Components oaComponents                       `json:"components"`
	}
	oaInfo struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Description string `json:"description,omitempty"`
	}
	oaServer struct {
		URL string `json:"url"`
	}
	oaTag struct {
		Name string `json:"name"`
	}
	oaOperation struct {
		OperationID string                 `json:"operationId"`
		Summary     string                 `json:"summary,omitempty"`
		Tags        []string               `json:"tags,omitempty"`
		Parameters  []oaParam              `json:"parameters,omitempty"`
		RequestBody *oaRequestBody         `json:"requestBody,omitempty"`
		Responses   map[string]oaResponse  `json:"responses"`
		Security    *[]map[string][]string `json:"security,omitempty"`
		Action      string                 `json:"x-acd-action"`
	}
	oaParam struct {
		Name     string    `json:"name"`
		In       string    `json:"in"`
		Required bool      `json:"required"`
		Schema   *oaSchema `json:"schema"`
	}
	oaRequestBody struct {
		Required bool               `json:"required"`
		Content  map[string]oaMedia `json:"content"`
	}
	oaResponse struct {
		Ref         string             `json:"$ref,omitempty"`
		Description string             `json:"description,omitempty"`
		Content     map[string]oaMedia `json:"content,omitempty"`
	}
	oaMedia struct {
		Schema *oaSchema `json:"schema"`
	}
	oaComponents struct {
		Schemas         map[string]*oaSchema        `json:"schemas"`
		Responses       map[string]oaResponse       `json:"responses"`
		SecuritySchemes map[string]oaSecurityScheme `json:"securitySchemes"`
	}
	oaSecurityScheme struct {
		Type        string `json:"type"`
		Scheme      string `json:"scheme,omitempty"`
		In          string `json:"in,omitempty"`
		Name        string `json:"name,omitempty"`
		Description string `json:"description,omitempty"`
	}
	// oaSchema is a JSON Schema 2020-12 subset.
	oaSchema struct {
		Ref                  string               `json:"$ref,omitempty"`
		Type                 string               `json:"type,omitempty"`
		Format               string               `json:"format,omitempty"`
		Items                *oaSchema            `json:"items,omitempty"`
		MinItems             *int                 `json:"minItems,omitempty"`
		MaxItems             *int                 `json:"maxItems,omitempty"`
		Minimum              *int                 `json:"minimum,omitempty"`
		Properties           map[string]*oaSchema `json:"properties,omitempty"`
		Required             []string             `json:"required,omitempty"`
		AdditionalProperties any                  `json:"additionalProperties,omitempty"`
	}
)

// schemaGen makes schemas from Go types, collecting named structs as
// components.
type schemaGen struct {
	components map[string]*oaSchema
	names      map[reflect.Type]string // named struct type -> component name
	taken      map[string]reflect.Type // component name -> its type
}

func newSchemaGen() *schemaGen {
	g := &schemaGen{
		components: make(map[string]*oaSchema),
		names:      make(map[reflect.Type]string),
		taken:      make(map[string]reflect.Type),
	}
	// The error envelope, under names of its own.
	for name, t := range map[string]reflect.Type{
		errorSchemaName: reflect.TypeFor[envelope](),
		"ErrorBody":     reflect.TypeFor[envelopeBody](),
	} {
		g.names[t] = name
		g.taken[name] = t
	}
	g.components["ErrorBody"] = g.structSchema(reflect.TypeFor[envelopeBody]())
	g.components[errorSchemaName] = g.structSchema(reflect.TypeFor[envelope]())
	return g
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
	schemaNameBadRE = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
)

func ptr(n int) *int { return &n }

// schema returns the schema of values of type t as encoding/json writes them.
func (g *schemaGen) schema(t reflect.Type) *oaSchema {
	if t == nil {
		return &oaSchema{}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return &oaSchema{Type: "string", Format: "date-time"}
	case t == rawMessageType:
		return &oaSchema{}
	case t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler):
		return &oaSchema{} // its own shape, unknown here
	case t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler):
		return &oaSchema{Type: "string"}
	}
	switch t.Kind() {
	case reflect.Bool:
		return &oaSchema{Type: "boolean"}
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return &oaSchema{Type: "integer", Format: "int32"}
	case reflect.Int, reflect.Int64:
		return &oaSchema{Type: "integer", Format: "int64"}
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return &oaSchema{Type: "integer", Format: "int32", Minimum: ptr(0)}
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		return &oaSchema{Type: "integer", Format: "int64", Minimum: ptr(0)}
	case reflect.Float32:
		return &oaSchema{Type: "number", Format: "float"}
	case reflect.Float64:
		return &oaSchema{Type: "number", Format: "double"}
	case reflect.String:
		return &oaSchema{Type: "string"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return &oaSchema{Type: "string", Format: "byte"} // base64
		}
		return &oaSchema{Type: "array", Items: g.schema(t.Elem())}
	case reflect.Array:
		return &oaSchema{Type: "array", Items: g.schema(t.Elem()), MinItems: ptr(t.Len()), MaxItems: ptr(t.Len())}
	case reflect.Map:
		return &oaSchema{Type: "object", AdditionalProperties: g.schema(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return g.structSchema(t)
		}
		return &oaSchema{Ref: schemaRef(g.component(t))}
	}
	return &oaSchema{} // interfaces: any value
}

// component returns the component name of named struct type t, building its
// schema on first use.
func (g *schemaGen) component(t reflect.Type) string {
	if name, ok := g.names[t]; ok {
		return name
	}
	base := schemaNameBadRE.ReplaceAllString(shortTypeName(t), "_")
	name := base
	if other, ok := g.taken[name]; ok && other != t {
		name = path.Base(t.PkgPath()) + "." + base
	}
	for i := 2; g.taken[name] != nil; i++ {
		name = fmt.Sprintf("%s.%s_%d", path.Base(t.PkgPath()), base, i)
	}
	g.names[t] = name
	g.taken[name] = t
	g.components[name] = &oaSchema{} // placeholder, so recursion stops here
	g.components[name] = g.structSchema(t)
	return name
}

var pkgPathRE = regexp.MustCompile(`[\w.\-]+(/[\w.\-]+)*/`)

// shortTypeName is t's name with package paths inside type arguments cut
// to the package name: "Page[reporting.Report]".
func shortTypeName(t reflect.Type) string {
	return pkgPathRE.ReplaceAllString(t.Name(), "")
}

// structSchema is the inline object schema of struct type t: its JSON
// fields (promoted ones included), those without omitempty/omitzero
// required, no others allowed (Decode rejects unknown fields).
func (g *schemaGen) structSchema(t reflect.Type) *oaSchema {
	s := &oaSchema{Type: "object", Properties: make(map[string]*oaSchema), AdditionalProperties: false}
	g.addFields(s, t, 0)
	return s
}

func (g *schemaGen) addFields(s *oaSchema, t reflect.Type, depth int) {
	if depth > 16 {
		return
	}
	for f := range jsonFields(t) {
		if f.embedded != nil {
			g.addFields(s, f.embedded, depth+1)
			continue
		}
		if _, dup := s.Properties[f.name]; dup {
			continue // the shallower field wins, as in encoding/json
		}
		fs := g.schema(f.typ)
		if f.asString {
			fs = &oaSchema{Type: "string"}
		}
		s.Properties[f.name] = fs
		if !f.omitempty {
			s.Required = append(s.Required, f.name)
		}
	}
}
