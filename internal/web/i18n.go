package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
)

// Lang is a UI language.
type Lang string

// The UI languages. Japanese is the default.
const (
	Japanese Lang = "ja"
	English  Lang = "en"
)

// langCookie holds the user's language choice.
const langCookie = "acd_lang"

// The catalogue is kept in one file per area (messages.json for the
// foundation, messages_<area>.json for the others) so that areas do not edit
// one file; loaded, they are one catalogue.
//
//go:embed messages*.json
var messageFiles embed.FS

// Catalogue is the one message catalogue: every UI string, by key, in each
// language.
type Catalogue map[string]map[Lang]string

// LoadCatalogue parses the embedded catalogue files and checks that every
// message has both languages and that no key is defined twice.
func LoadCatalogue() (Catalogue, error) { return loadCatalogue(messageFiles) }

func loadCatalogue(fsys fs.FS) (Catalogue, error) {
	files, err := fs.Glob(fsys, "messages*.json")
	if err != nil {
		return nil, err
	}
	c := Catalogue{}
	from := map[string]string{}
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var part Catalogue
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for k, m := range part {
			if m[Japanese] == "" || m[English] == "" {
				return nil, fmt.Errorf("%s: %q lacks ja or en", name, k)
			}
			if prev, dup := from[k]; dup {
				return nil, fmt.Errorf("%s: %q is already defined in %s", name, k, prev)
			}
			c[k], from[k] = m, name
		}
	}
	return c, nil
}

// T returns the message key in lang, formatted with args. A missing key
// shows as itself in brackets, so it is seen and fixed, never hidden.
func (c Catalogue) T(lang Lang, key string, args ...any) string {
	m, ok := c[key][lang]
	if !ok {
		return "[" + key + "]"
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}

// langOf reads the language cookie; Japanese by default.
func langOf(r *http.Request) Lang {
	if c, err := r.Cookie(langCookie); err == nil && Lang(c.Value) == English {
		return English
	}
	return Japanese
}
