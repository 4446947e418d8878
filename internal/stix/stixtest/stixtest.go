// Package stixtest checks STIX objects against the OASIS STIX 2.1 JSON
// schemas, for tests of packages that produce STIX. The schemas are read
// from a local copy of github.com/oasis-open/cti-stix2-json-schemas;
// tests skip, saying why, when it is missing.
package stixtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaBase is the base of the $id of every OASIS STIX 2.1 schema.
const schemaBase = "raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"

// Schemas validates STIX JSON against the OASIS schemas in one directory.
// It is safe for concurrent use.
type Schemas struct {
	dir string

	mu       sync.Mutex // guards compiled and c
	c        *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

// Open returns the schemas in dir (the "schemas" directory of the OASIS
// repository, holding common/, sdos/, sros/ and observables/), or skips
// the test when dir does not exist.
func Open(t testing.TB, dir string) *Schemas {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "common", "bundle.json")); err != nil {
		t.Skipf("OASIS STIX 2.1 JSON schemas not found in %s (%v); get github.com/oasis-open/cti-stix2-json-schemas there to run this test", dir, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(loader{dir})
	return &Schemas{dir: dir, c: c, compiled: map[string]*jsonschema.Schema{}}
}

// loader maps the schemas' $id URLs (http or https) to files in dir.
type loader struct{ dir string }

func (l loader) Load(url string) (any, error) {
	_, rest, ok := strings.Cut(url, "://")
	if !ok || !strings.HasPrefix(rest, schemaBase) {
		return nil, fmt.Errorf("no local copy of %s", url)
	}
	f, err := os.Open(filepath.Join(l.dir, filepath.FromSlash(strings.TrimPrefix(rest, schemaBase))))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

// schema returns the compiled schema at rel, e.g. "sdos/incident.json".
func (s *Schemas) schema(rel string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.compiled[rel]; ok {
		return sch, nil
	}
	sch, err := s.c.Compile("http://" + schemaBase + rel)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", rel, err)
	}
	s.compiled[rel] = sch
	return sch, nil
}

// schemaFor returns the schema file for objects of type typ: its own, or
// the core schema of SDOs (for types with created) or of observables.
func (s *Schemas) schemaFor(typ string, obj map[string]any) string {
	for _, dir := range []string{"sdos", "sros", "observables", "common"} {
		rel := dir + "/" + typ + ".json"
		if _, err := os.Stat(filepath.Join(s.dir, filepath.FromSlash(rel))); err == nil && typ != "core" && typ != "bundle" {
			return rel
		}
	}
	if _, ok := obj["created"]; ok {
		return "common/core.json"
	}
	return "common/cyber-observable-core.json"
}

// Object validates one object against the schema of its type.
func (s *Schemas) Object(data []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return errors.New("not a JSON object")
	}
	typ, _ := obj["type"].(string)
	sch, err := s.schema(s.schemaFor(typ, obj))
	if err != nil {
		return err
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("%s %v: %w", typ, obj["id"], err)
	}
	return nil
}

// Bundle validates a bundle: the bundle's own properties against the
// bundle schema, and each of its objects against the schema of its type.
// (The bundle schema cannot check the objects itself: its list of object
// schemas lacks incident, note, grouping, location, opinion and the
// meta-objects, and its branch for custom objects matches every SDO twice,
// once as an SDO and once as an observable, so its oneOf fails.)
func (s *Schemas) Bundle(data []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	top, ok := v.(map[string]any)
	if !ok {
		return errors.New("bundle: not a JSON object")
	}
	envelope := map[string]any{}
	for k, x := range top {
		if k != "objects" {
			envelope[k] = x
		}
	}
	sch, err := s.schema("common/bundle.json")
	if err != nil {
		return err
	}
	if err := sch.Validate(envelope); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	var b struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return err
	}
	var errs []error
	for i, o := range b.Objects {
		if err := s.Object(o); err != nil {
			errs = append(errs, fmt.Errorf("objects[%d]: %w", i, err))
		}
	}
	return errors.Join(errs...)
}
