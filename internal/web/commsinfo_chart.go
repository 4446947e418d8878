package web

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/api"
)

// The runs chart: an approval's packets per day as the selection engine
// counted them, each bar the packets seen, split into those selected (kept
// as mechanical information) and those deleted at once, with the selected
// share drawn as a line on its own axis, so that a day whose share jumps
// stands out. It is SVG drawn here, like the reports chart, served as its
// own image (/runs/chart.svg) with a <title> and a <desc>; the runs page
// gives the numbers as a table.

// The runs chart's colours: selected, deleted, the share's line.
const (
	colourSelected = "#d62728"
	colourDeleted  = "#9ecae1"
	colourRatio    = "#1a1a1a"
)

func (s *Site) runsChart(w http.ResponseWriter, r *http.Request) error {
	q := readRunsQuery(r.URL.Query())
	if q.Approval == "" {
		return api.BadRequest("approval", "required")
	}
	from, to, fe := q.window(s.cfg.Now())
	if fe != nil {
		return api.BadRequest(fe.Field, fe.Field+": "+fe.Msg)
	}
	ts, err := s.cfg.Commsinfo.Totals(r.Context(), q.Approval, from, to)
	if err != nil {
		return ciPageError(err)
	}
	svg := s.runsChartSVG(langOf(r), q.Approval, days(ts, from, to))
	w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
	_, err = w.Write(svg)
	return err
}

// niceTop returns the smallest 1, 2 or 5 times a power of ten at or above
// v (v > 0).
func niceTop(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// runsChartSVG draws ds, one day a bar, for approval in l.
func (s *Site) runsChartSVG(l Lang, approval string, ds []dayRow) []byte {
	esc := template.HTMLEscapeString
	var peak, seen, selected, deleted uint64
	var peakRatio float64
	for _, d := range ds {
		peak = max(peak, d.Selected+d.Deleted)
		seen, selected, deleted = seen+d.Seen, selected+d.Selected, deleted+d.Deleted
		if d.Seen > 0 {
			peakRatio = max(peakRatio, float64(d.Selected)/float64(d.Seen)*100)
		}
	}
	// Packet counts fit an int on the 64-bit hosts ACD runs on; the axis
	// only needs their order of magnitude.
	tick := niceStep(int(min(peak, math.MaxInt64/10)))
	top := (int(min(peak, math.MaxInt64/10)) + tick - 1) / tick * tick
	if top == 0 {
		top = tick
	}
	ratioTop := 1.0
	if peakRatio > 0 {
		ratioTop = niceTop(peakRatio)
	}

	first, last := "", ""
	if len(ds) > 0 {
		first, last = ds[0].Day, ds[len(ds)-1].Day
	}
	title := s.msgs.T(l, "runs.chart.title", approval)
	desc := s.msgs.T(l, "runs.chart.desc", first, last, seen, selected, deleted, ratioText(selected, seen))

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title chart-desc" font-family="system-ui, 'Noto Sans CJK JP', sans-serif" font-size="12">`+"\n",
		chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, "<title id=\"chart-title\">%s</title>\n<desc id=\"chart-desc\">%s</desc>\n", esc(title), esc(desc))
	fmt.Fprintf(&b, `<rect class="background" x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", chartW, chartH)
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="14" font-weight="bold" fill="#1a1a1a">%s</text>`+"\n", plotL, esc(title))

	// The packet axis on the left, the share's on the right.
	scale := float64(plotB-plotT) / float64(top)
	for v := 0; v <= top; v += tick {
		y := float64(plotB) - float64(v)*scale
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d0d0d0"/>`+"\n", plotL, y, plotR, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" fill="#1a1a1a">%s</text>`+"\n", plotL-6, y+4, shortCount(uint64(v)))
	}
	for i := 0; i <= 4; i++ {
		v := ratioTop * float64(i) / 4
		y := float64(plotB) - float64(plotB-plotT)*float64(i)/4
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" fill="#1a1a1a">%s%%</text>`+"\n", plotR+4, y+4, trimFloat(v))
	}

	slot := float64(plotR-plotL) / float64(max(len(ds), 1))
	width := slot * 0.8
	labelEvery := (len(ds) + 9) / 10
	var line []string
	for i, d := range ds {
		x := float64(plotL) + float64(i)*slot + slot*0.1
		y := float64(plotB)
		for _, part := range []struct {
			n      uint64
			colour string
			key    string
		}{{d.Selected, colourSelected, "runs.selected"}, {d.Deleted, colourDeleted, "runs.deleted"}} {
			if part.n == 0 {
				continue
			}
			h := float64(part.n) * scale
			y -= h
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d</title></rect>`+"\n",
				x, y, width, h, part.colour, esc(d.Day), esc(s.msgs.T(l, part.key)), part.n)
		}
		if d.Seen > 0 {
			ratio := float64(d.Selected) / float64(d.Seen) * 100
			line = append(line, fmt.Sprintf("%.1f,%.1f", x+width/2, float64(plotB)-ratio/ratioTop*float64(plotB-plotT)))
		}
		if labelEvery > 0 && i%labelEvery == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#1a1a1a">%s</text>`+"\n", x+width/2, plotB+18, esc(shortDay(d.Day)))
		}
	}
	if len(line) > 0 {
		fmt.Fprintf(&b, `<polyline class="ratio" points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(line, " "), colourRatio)
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1a1a1a"/>`+"\n", plotL, plotB, plotR, plotB)
	if seen == 0 && selected == 0 && deleted == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#5a5a5a">%s</text>`+"\n", (plotL+plotR)/2, (plotT+plotB)/2, esc(s.msgs.T(l, "runs.chart.empty")))
	}

	// The legend, right of the share's axis.
	lx := legendX + 30
	for i, it := range []struct{ colour, key string }{{colourSelected, "runs.selected"}, {colourDeleted, "runs.deleted"}} {
		y := plotT + i*20
		fmt.Fprintf(&b, `<rect class="swatch" x="%d" y="%d" width="12" height="12" fill="%s"/>`+"\n", lx, y, it.colour)
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#1a1a1a">%s</text>`+"\n", lx+18, y+11, esc(s.msgs.T(l, it.key)))
	}
	y := plotT + 40
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>`+"\n", lx, y+6, lx+12, y+6, colourRatio)
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#1a1a1a">%s</text>`+"\n", lx+18, y+11, esc(s.msgs.T(l, "runs.ratio")))
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// shortCount renders a count of packets for an axis: 1200 → "1.2k".
func shortCount(n uint64) string {
	switch {
	case n >= 1e9:
		return trimFloat(float64(n)/1e9) + "G"
	case n >= 1e6:
		return trimFloat(float64(n)/1e6) + "M"
	case n >= 1e3:
		return trimFloat(float64(n)/1e3) + "k"
	}
	return fmt.Sprint(n)
}

// trimFloat renders v with at most two decimals and no trailing zeros.
func trimFloat(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// shortDay renders "2026-11-02" as "11/02" for an axis label.
func shortDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("01/02")
}
