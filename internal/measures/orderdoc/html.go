package orderdoc

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
)

//go:embed order.html.tmpl
var orderTemplate string

// htmlView is what the template shows.
type htmlView struct {
	Title string
	Doc   Document
	Parts [2]part
}

// HTML returns d as one self-contained HTML document: the Japanese part,
// then the English part on a new page, styles inline, nothing loaded from
// elsewhere (a Content-Security-Policy in the document says so), A4 print
// styles in Noto Sans CJK JP. Every value is escaped. It does not
// validate d.
func HTML(d Document) ([]byte, error) {
	tmpl, err := template.New("order").Funcs(template.FuncMap{
		"inc": func(i int) int { return i + 1 },
	}).Parse(orderTemplate)
	if err != nil {
		return nil, fmt.Errorf("parse order template: %w", err)
	}
	ps := parts(d)
	v := htmlView{
		Title: fmt.Sprintf("%s / %s — %s", labelsJA.Title, labelsEN.Title, d.ID),
		Doc:   d,
		Parts: ps,
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("render order document: %w", err)
	}
	return b.Bytes(), nil
}
