package annualreport

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

// listTemplate is the public page that lists the published summaries.
const listTemplate = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{{.Title}}</title>
<style>
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif; color: #1a1a1a; background: #ffffff; margin: 0 auto; max-width: 48rem; padding: 1.5rem; line-height: 1.6; }
header { border-bottom: 3px solid #1a3c6e; margin-bottom: 1rem; }
.org { margin: 0; font-size: 0.9rem; color: #1a3c6e; font-weight: bold; }
h1 { margin: 0.25rem 0 0.5rem; font-size: 1.6rem; }
a { color: #0b4f9c; }
li { margin: 0.4rem 0; }
.meta { color: #404040; font-size: 0.9rem; }
</style>
</head>
<body>
<header>
<p class="org">{{.Org}}</p>
<h1>{{.Title}}</h1>
<p><a href="{{.OtherHref}}" hreflang="{{.OtherLang}}" lang="{{.OtherLang}}">{{.OtherName}}</a></p>
</header>
<main>
<p>{{.Intro}}</p>
{{if .Items}}<ul>
{{range .Items}}<li><a href="{{.Href}}">{{.Name}}</a> <span class="meta">{{.Published}}</span></li>
{{end}}</ul>
{{else}}<p>{{.Empty}}</p>
{{end}}</main>
</body>
</html>
`

// RenderList writes the public page that lists the published summaries
// (newest first, as Service.Publications returns them) in lang, each
// linked to /annual-reports/{year} in the same language. base is the
// path of the list ("/annual-reports").
func RenderList(w io.Writer, pubs []Publication, lang Lang, base string) error {
	lang, err := ParseLang(string(lang))
	if err != nil {
		return fmt.Errorf("render annual report list: %w", err)
	}
	cat, err := loadCatalogue()
	if err != nil {
		return err
	}
	b := &builder{cat: cat, lang: lang}
	other := English
	if lang == English {
		other = Japanese
	}
	type item struct{ Href, Name, Published string }
	v := struct {
		Lang, OtherLang                     Lang
		Org, Title, Intro, Empty, OtherName string
		OtherHref                           string
		Items                               []item
	}{
		Lang: lang, OtherLang: other, Org: b.t("org"), Title: b.t("list.title"), Intro: b.t("list.intro"),
		Empty: b.t("list.empty"), OtherName: b.t("list.other_lang"), OtherHref: base + "?lang=" + string(other),
	}
	for _, p := range pubs {
		v.Items = append(v.Items, item{
			Href:      base + "/" + strconv.Itoa(p.Year) + "?lang=" + string(lang),
			Name:      b.t("title", p.Year),
			Published: b.t("list.published", b.day(p.PublishedAt)),
		})
	}
	tmpl, err := template.New("list").Parse(listTemplate)
	if err != nil {
		return fmt.Errorf("parse list template: %w", err)
	}
	var out strings.Builder
	if err := tmpl.Execute(&out, v); err != nil {
		return fmt.Errorf("render annual report list: %w", err)
	}
	_, err = io.WriteString(w, out.String())
	return err
}
