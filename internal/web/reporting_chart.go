package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/sector"
)

// The Cabinet Office's chart: reports opened over time, stacked by sector,
// drawn here as SVG so that it needs no script and no outside service. It
// is served as its own image (/reports/chart.svg) and carries a <title> and
// a <desc> that say what it shows; the reports page adds the numbers as a
// table.

// chartColours holds a colour per sector, in the order of sector.Codes(),
// so that a sector keeps its colour from one chart to the next.
var chartColours = []string{
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
	"#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173",
}

func sectorColour(code string) string {
	if i := slices.Index(sector.Codes(), code); i >= 0 {
		return chartColours[i%len(chartColours)]
	}
	return "#000000"
}

// chartSectors are the sectors with reports in bs, or only the one sector
// only when it is not "".
func chartSectors(bs []reporting.Bucket, only string) []string {
	secs := reporting.SectorsOf(bs)
	if only == "" {
		return secs
	}
	if slices.Contains(secs, only) {
		return []string{only}
	}
	return nil
}

func (s *Site) reportChart(w http.ResponseWriter, r *http.Request) error {
	q := readReportQuery(r.URL.Query())
	from, to, step, ferr := q.window(s.cfg.Now())
	if ferr != nil {
		return api.BadRequest(ferr.Field, ferr.Error())
	}
	bs, err := s.cfg.Reporting.ReportCounts(r.Context(), principal(r), from, to, step)
	if err != nil {
		return pageError(err)
	}
	svg := s.chartSVG(langOf(r), bs, chartSectors(bs, q.Sector), from, to, step)
	w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
	_, err = w.Write(svg)
	return err
}

// The chart's geometry, in SVG user units.
const (
	chartW, chartH = 780, 360
	plotL, plotT   = 48, 40   // the plot's top left corner
	plotR, plotB   = 560, 310 // its bottom right corner
	legendX        = 580
)

// niceStep returns a tick step of 1, 2 or 5 times a power of ten that
// divides peak into at most five steps.
func niceStep(peak int) int {
	for step := 1; ; step *= 10 {
		for _, m := range []int{1, 2, 5} {
			if peak <= 5*step*m {
				return step * m
			}
		}
	}
}

// chartSVG draws the buckets' counts of secs as stacked bars, one bar per
// bucket, with a legend of sector names in l.
func (s *Site) chartSVG(l Lang, bs []reporting.Bucket, secs []string, from, to time.Time, step time.Duration) []byte {
	n := names{lang: l}
	esc := template.HTMLEscapeString
	dateFmt := "01/02"
	if step >= 28*24*time.Hour {
		dateFmt = "2006-01"
	}
	label := func(t time.Time) string { return t.In(jst).Format(dateFmt) }

	peak, total := 0, 0
	perSector := map[string]int{}
	for _, b := range bs {
		sum := 0
		for _, sc := range secs {
			sum += b.BySector[sc]
			perSector[sc] += b.BySector[sc]
		}
		total += sum
		peak = max(peak, sum)
	}
	tick := niceStep(peak)
	top := (peak + tick - 1) / tick * tick
	if top == 0 {
		top = tick
	}
	parts := make([]string, len(secs))
	for i, sc := range secs {
		parts[i] = fmt.Sprintf("%s %d", n.Sector(sc), perSector[sc])
	}
	title := s.msgs.T(l, "chart.title")
	desc := s.msgs.T(l, "chart.desc", from.In(jst).Format(time.DateOnly), to.Add(-time.Nanosecond).In(jst).Format(time.DateOnly), total)
	if len(parts) > 0 {
		desc += " " + strings.Join(parts, ", ")
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title chart-desc" font-family="system-ui, 'Noto Sans CJK JP', sans-serif" font-size="12">`+"\n",
		chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, "<title id=\"chart-title\">%s</title>\n<desc id=\"chart-desc\">%s</desc>\n", esc(title), esc(desc))
	fmt.Fprintf(&b, `<rect class="background" x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", chartW, chartH)
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="14" font-weight="bold" fill="#1a1a1a">%s</text>`+"\n", plotL, esc(title))

	// The value axis: a grid line and a label per tick.
	scale := float64(plotB-plotT) / float64(top)
	for v := 0; v <= top; v += tick {
		y := float64(plotB) - float64(v)*scale
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d0d0d0"/>`+"\n", plotL, y, plotR, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" fill="#1a1a1a">%d</text>`+"\n", plotL-6, y+4, v)
	}

	// The bars, each sector's count stacked on the previous ones.
	slot := float64(plotR-plotL) / float64(max(len(bs), 1))
	width := slot * 0.8
	labelEvery := (len(bs) + 9) / 10
	for i, bk := range bs {
		x := float64(plotL) + float64(i)*slot + slot*0.1
		y := float64(plotB)
		for _, sc := range secs {
			c := bk.BySector[sc]
			if c == 0 {
				continue
			}
			h := float64(c) * scale
			y -= h
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d</title></rect>`+"\n",
				x, y, width, h, sectorColour(sc), esc(n.Sector(sc)), esc(bk.Start.In(jst).Format(time.DateOnly)), c)
		}
		if labelEvery > 0 && i%labelEvery == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#1a1a1a">%s</text>`+"\n", x+width/2, plotB+18, esc(label(bk.Start)))
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1a1a1a"/>`+"\n", plotL, plotB, plotR, plotB)
	if total == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#5a5a5a">%s</text>`+"\n", (plotL+plotR)/2, (plotT+plotB)/2, esc(s.msgs.T(l, "chart.empty")))
	}

	// The legend: a swatch and a name per sector.
	for i, sc := range secs {
		y := plotT + i*20
		fmt.Fprintf(&b, `<rect class="swatch" x="%d" y="%d" width="12" height="12" fill="%s"/>`+"\n", legendX, y, sectorColour(sc))
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#1a1a1a">%s (%d)</text>`+"\n", legendX+18, y+11, esc(n.Sector(sc)), perSector[sc])
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}
