package annualreport

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Lang is the language of a rendered report.
type Lang string

// The report's languages. Japanese is the default: the empty Lang is
// Japanese.
const (
	Japanese Lang = "ja"
	English  Lang = "en"
)

// ParseLang parses a language code as given in a query string: "ja", "en",
// or "" for Japanese.
func ParseLang(s string) (Lang, error) {
	switch Lang(s) {
	case "", Japanese:
		return Japanese, nil
	case English:
		return English, nil
	}
	return "", fmt.Errorf("lang %q: want ja or en", truncate(s, 40))
}

//go:embed messages.json
var messagesJSON []byte

// catalogue is the report's message catalogue: every string the report
// shows, by key, in each language. It is kept beside the report rather than
// in the web UI's catalogue because the report is a document of its own
// (rendered, printed and published without the UI's layout); it follows the
// same shape and rules: every key has both languages.
type catalogue map[string]map[Lang]string

// loadCatalogue parses the embedded catalogue and checks that every message
// has both languages.
func loadCatalogue() (catalogue, error) {
	var c catalogue
	if err := json.Unmarshal(messagesJSON, &c); err != nil {
		return nil, fmt.Errorf("annualreport messages.json: %w", err)
	}
	for k, m := range c {
		if m[Japanese] == "" || m[English] == "" {
			return nil, fmt.Errorf("annualreport messages.json: %q lacks ja or en", k)
		}
	}
	return c, nil
}

// t returns the message key in lang, formatted with args. A missing key
// shows as itself in brackets, so that it is seen and fixed, never hidden.
func (c catalogue) t(lang Lang, key string, args ...any) string {
	m, ok := c[key][lang]
	if !ok {
		return "[" + key + "]"
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}

// label returns the message "prefix.key" when the catalogue has it, and key
// itself otherwise: category names that a source adds before the catalogue
// knows them still show, as they are.
func (c catalogue) label(lang Lang, prefix, key string) string {
	if m, ok := c[prefix+"."+key][lang]; ok {
		return m
	}
	return key
}

// truncate shortens s to at most n bytes for an error message, marking the
// cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
