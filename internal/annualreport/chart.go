package annualreport

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// The report's charts are drawn here as SVG, inline in the document, so
// that the report needs no script and no outside service and prints as it
// shows. Each carries a <title> and a <desc> that say what it shows and
// give its numbers; the report puts a table of the same numbers beside
// it. The approach is the web UI's reports chart (internal/web).

// chart is a bar chart: one bar (stacked) or one cluster of bars (grouped)
// per group, one segment or bar per series.
type chart struct {
	id     string // unique in the document; prefixes the title and desc ids
	title  string
	desc   string
	groups []string // the labels under the bars
	series []series
	// grouped draws the series side by side; otherwise they are stacked.
	grouped bool
	// log draws the value axis on a logarithmic scale (log10(1+v)), for
	// counts of very different sizes such as packets seen and selected.
	log bool
	// empty is the text shown when every value is zero.
	empty string
	// logNote is the axis note for a logarithmic scale.
	logNote string
}

// series is one kind of count in a chart.
type series struct {
	name   string
	colour string
	values []int64 // one per group
}

// The chart's geometry, in SVG user units.
const (
	svgW, svgH       = 760, 320
	svgPlotL         = 70  // the plot's left edge
	svgPlotT         = 40  // its top
	svgPlotR         = 520 // its right edge
	svgPlotB         = 270 // its bottom
	svgLegendX       = 536
	svgLegendRowStep = 20
)

// niceStep returns a tick step of 1, 2 or 5 times a power of ten that
// divides peak into at most five steps. peak is finite and not negative.
func niceStep(peak float64) float64 {
	for step := 1.0; ; step *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if peak <= 5*step*m {
				return step * m
			}
		}
	}
}

// svg draws c. Every text is escaped, so the result is well-formed XML
// whatever the names hold.
func (c *chart) svg() template.HTML {
	esc := template.HTMLEscapeString
	n := len(c.groups)
	// The value of each bar: the stack's sum, or each series' value. Sums
	// are in float64, which cannot overflow on counts.
	var peak, total float64
	for g := 0; g < n; g++ {
		var sum float64
		for _, s := range c.series {
			v := float64(s.values[g])
			total += v
			if c.grouped {
				peak = max(peak, v)
			} else {
				sum += v
			}
		}
		peak = max(peak, sum)
	}

	// scale maps a value to a height in user units.
	plotH := float64(svgPlotB - svgPlotT)
	var scale func(v float64) float64
	type tick struct {
		v     float64
		label string
	}
	var ticks []tick
	if c.log {
		k := 1
		for p := 10.0; p <= peak && k < 21; p *= 10 {
			k++
		}
		top := math.Log10(1 + math.Pow(10, float64(k)))
		scale = func(v float64) float64 { return math.Log10(1+v) / top * plotH }
		every := (k + 5) / 6
		for e := 0; e <= k; e++ {
			if e%every == 0 {
				ticks = append(ticks, tick{math.Pow(10, float64(e)), logLabel(e)})
			}
		}
	} else {
		step := niceStep(peak)
		top := math.Ceil(peak/step) * step
		if top == 0 {
			top = step
		}
		scale = func(v float64) float64 { return v / top * plotH }
		for i := 0; i <= 5 && float64(i)*step <= top; i++ {
			ticks = append(ticks, tick{float64(i) * step, formatFloat(float64(i) * step)})
		}
	}

	var b bytes.Buffer
	titleID, descID := c.id+"-title", c.id+"-desc"
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="%s %s" font-family="'Noto Sans CJK JP', 'Noto Sans JP', sans-serif" font-size="12">`+"\n",
		svgW, svgH, svgW, svgH, titleID, descID)
	fmt.Fprintf(&b, "<title id=\"%s\">%s</title>\n<desc id=\"%s\">%s</desc>\n", titleID, esc(c.title), descID, esc(c.desc))
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", svgW, svgH)
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="14" font-weight="bold" fill="#1a1a1a">%s</text>`+"\n", svgPlotL, esc(c.title))

	// The value axis: a grid line and a label per tick.
	for _, t := range ticks {
		y := float64(svgPlotB) - scale(t.v)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d0d0d0"/>`+"\n", svgPlotL, y, svgPlotR, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" fill="#1a1a1a">%s</text>`+"\n", svgPlotL-6, y+4, esc(t.label))
	}
	if c.log && c.logNote != "" {
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#5a5a5a" font-size="10">%s</text>`+"\n", svgPlotL, svgPlotT-8, esc(c.logNote))
	}

	// The bars.
	slot := float64(svgPlotR-svgPlotL) / float64(max(n, 1))
	for g := 0; g < n; g++ {
		x0 := float64(svgPlotL) + float64(g)*slot + slot*0.1
		width := slot * 0.8
		if c.grouped {
			bw := width / float64(max(len(c.series), 1))
			for si, s := range c.series {
				v := s.values[g]
				if v == 0 {
					continue
				}
				h := scale(float64(v))
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>`+"\n",
					x0+float64(si)*bw, float64(svgPlotB)-h, bw, h, s.colour, esc(c.groups[g]), esc(s.name), formatInt(v))
			}
		} else {
			y := float64(svgPlotB)
			for _, s := range c.series {
				v := s.values[g]
				if v == 0 {
					continue
				}
				h := scale(float64(v))
				y -= h
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#ffffff" stroke-width="0.5"><title>%s %s: %s</title></rect>`+"\n",
					x0, y, width, h, s.colour, esc(c.groups[g]), esc(s.name), formatInt(v))
			}
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#1a1a1a">%s</text>`+"\n", x0+width/2, svgPlotB+18, esc(c.groups[g]))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1a1a1a"/>`+"\n", svgPlotL, svgPlotB, svgPlotR, svgPlotB)
	if total == 0 && c.empty != "" {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#5a5a5a">%s</text>`+"\n", (svgPlotL+svgPlotR)/2, (svgPlotT+svgPlotB)/2, esc(c.empty))
	}

	// The legend: a swatch and a name per series.
	for i, s := range c.series {
		y := svgPlotT + i*svgLegendRowStep
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/>`+"\n", svgLegendX, y, s.colour)
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#1a1a1a">%s</text>`+"\n", svgLegendX+18, y+11, esc(s.name))
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// logLabel is the label of the tick at 10^e.
func logLabel(e int) string {
	if e <= 6 {
		return formatInt(int64(math.Pow10(e)))
	}
	return "1e" + strconv.Itoa(e)
}

// formatFloat writes a tick value: an integer with commas while it fits
// int64, in exponent form beyond.
func formatFloat(v float64) string {
	if v < 1e18 {
		return formatInt(int64(v))
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// formatInt writes v with a comma between thousands, as both Japanese and
// English write figures.
func formatInt(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
