// Package annualreport is the commission's annual report to the Diet
// (§61) and its public summary: the year's figures on acquisition
// requests, automated selection, provisions, measures, inspections,
// recommendations and handling errors, rendered as one self-contained HTML
// document with SVG charts, printed to PDF, and published as a frozen
// snapshot that the public reads. docs/annual-report.md describes what the
// report counts, what the public summary withholds and why.
//
// # Figures
//
// [Figures] holds every number the report shows for one calendar year in
// Japan time ([YearBounds]) and the detail the full report lists. A
// [Source] counts them; [Collect] builds the Source that counts from the
// oversight, commsinfo and inspection services. [Figures.Check] refuses
// figures that do not hold together (unknown chapters, negative counts,
// lists or texts over their limits) with a [*FieldError] naming the field.
//
// # The public summary
//
// The report, not the source, decides what the public summary withholds
// ([PublicWithheld]). [Figures.Public] removes those figures, so that
// nothing rendered or stored from the public figures can show them, and
// names them in Figures.Withheld; the rendered summary marks each as
// withheld (非公表).
//
// # Rendering and export
//
// [Render] writes the full report or the public summary, in Japanese or
// English ([Options]), as one HTML document: styles and charts inline, no
// script, nothing loaded. Each chart has a title and a description and is
// followed by a table of its numbers. [Printer] prints such a document to
// an A4 PDF with headless Chromium; without a browser it returns
// [ErrNoBrowser].
//
// # The service
//
// [Service] serves the commission: the year's figures, the report as HTML
// or PDF, and the chair's publication of the public summary ([Service.Publish]),
// stored with an audit-log entry in the same transaction and read by the
// public exactly as published ([Service.Published], [Service.Publications]).
// The HTTP layer (package annualreportapi) checks each action with the one
// policy; the service checks again that the caller is the commission (or
// its chair, to publish), answering [ErrForbidden] otherwise.
package annualreport
