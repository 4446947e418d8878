package taxii

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaFiles are the OASIS STIX 2.1 JSON schemas (see schemas/README.md
// and schemas/LICENSE).
//
//go:embed schemas
var schemaFiles embed.FS

// schemaBase is the base of the $id of every OASIS STIX 2.1 schema; the
// schemas refer to each other relative to it.
const schemaBase = "raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"

// schemaSet validates STIX objects against the OASIS schemas. Every schema
// is compiled once, by newSchemaSet; the set is then read-only and safe for
// concurrent use.
type schemaSet struct {
	byType map[string]*jsonschema.Schema // "indicator" → sdos/indicator.json, …
	core   *jsonschema.Schema            // common/core.json: custom SDOs and SROs
	sco    *jsonschema.Schema            // common/cyber-observable-core.json: custom SCOs
}

// embedLoader maps the schemas' $id URLs (http or https) to the embedded
// files.
type embedLoader struct{}

func (embedLoader) Load(url string) (any, error) {
	_, rest, ok := strings.Cut(url, "://")
	if !ok || !strings.HasPrefix(rest, schemaBase) {
		return nil, fmt.Errorf("schema %s: not one of the embedded OASIS schemas", url)
	}
	f, err := schemaFiles.Open(path.Join("schemas", strings.TrimPrefix(rest, schemaBase)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

// newSchemaSet compiles the schema of every object type the OASIS
// repository defines.
func newSchemaSet() (*schemaSet, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(embedLoader{})
	compile := func(rel string) (*jsonschema.Schema, error) {
		sch, err := c.Compile("http://" + schemaBase + rel)
		if err != nil {
			return nil, fmt.Errorf("compile STIX schema %s: %w", rel, err)
		}
		return sch, nil
	}
	s := &schemaSet{byType: map[string]*jsonschema.Schema{}}
	for _, dir := range []string{"sdos", "sros", "observables", "common"} {
		entries, err := fs.ReadDir(schemaFiles, "schemas/"+dir)
		if err != nil {
			return nil, fmt.Errorf("read embedded schemas: %w", err)
		}
		for _, e := range entries {
			typ, ok := strings.CutSuffix(e.Name(), ".json")
			if !ok {
				continue
			}
			// common/ also holds the definitions the types share; only
			// these three are object types.
			if dir == "common" && !slices.Contains([]string{"marking-definition", "extension-definition", "language-content"}, typ) {
				continue
			}
			if s.byType[typ], err = compile(dir + "/" + e.Name()); err != nil {
				return nil, err
			}
		}
	}
	var err error
	if s.core, err = compile("common/core.json"); err != nil {
		return nil, err
	}
	if s.sco, err = compile("common/cyber-observable-core.json"); err != nil {
		return nil, err
	}
	return s, nil
}

// validate checks one object's JSON against the schema of its type; a type
// without a schema of its own (a custom object) is checked against the
// core schema of SDOs and SROs when it has created, else that of
// cyber-observables. The error names the property at fault.
func (s *schemaSet) validate(data []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("OASIS schema: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return errors.New("OASIS schema: not a JSON object")
	}
	typ, _ := obj["type"].(string)
	sch := s.byType[typ]
	if sch == nil {
		if _, ok := obj["created"]; ok {
			sch = s.core
		} else {
			sch = s.sco
		}
	}
	if err := sch.Validate(v); err != nil {
		return schemaError(typ, err)
	}
	return nil
}

// schemaError turns a validation error into one line naming the deepest
// property at fault, as the OASIS schema of typ sees it.
func schemaError(typ string, err error) error {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("OASIS schema of %s: %w", typ, err)
	}
	// The leaf that reaches deepest into the object is the most precise
	// complaint (allOf and oneOf only say that a branch failed); the first
	// of equals.
	ve = deepest(ve)
	msg := ve.ErrorKind.LocalizedString(message.NewPrinter(language.English))
	if r := []rune(msg); len(r) > 300 {
		msg = string(r[:300]) + "…"
	}
	prop := strings.Join(ve.InstanceLocation, ".")
	if prop == "" {
		return fmt.Errorf("OASIS schema of %s: %s", typ, msg)
	}
	return fmt.Errorf("OASIS schema of %s: %s: %s", typ, prop, msg)
}

// deepest returns the leaf of e's causes with the longest instance
// location, the first of equals.
func deepest(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return e
	}
	var best *jsonschema.ValidationError
	for _, c := range e.Causes {
		if l := deepest(c); best == nil || len(l.InstanceLocation) > len(best.InstanceLocation) {
			best = l
		}
	}
	return best
}
