// Package mdblock reads and replaces generated blocks of a Markdown file,
// found between two marker comments, so that generated documentation cannot
// drift. It is the one place that knows how such a block is delimited.
package mdblock

import (
	"fmt"
	"strings"
)

// Block is a generated block of a Markdown document, between its Start and
// End marker lines.
type Block struct {
	Start, End string
}

// The README's generated blocks.
var (
	// ConfigReference holds the settings table (tools/configref).
	ConfigReference = Block{Start: "<!-- config:start -->", End: "<!-- config:end -->"}
	// Diagram holds the pipeline diagram (tools/diagram).
	Diagram = Block{Start: "<!-- diagram:start -->", End: "<!-- diagram:end -->"}
	// EnvironmentsExample holds the two-environment settings of the
	// README's environments section, which test/ synthesizes.
	EnvironmentsExample = Block{Start: "<!-- environments-example:start -->", End: "<!-- environments-example:end -->"}
	// EnvironmentsDiagram is the pipeline diagram of EnvironmentsExample.
	EnvironmentsDiagram = Block{Start: "<!-- environments-diagram:start -->", End: "<!-- environments-diagram:end -->"}
	// ShiplineSession holds a session of the shipline command run against
	// moto (cmd/shipline's TestReadmeSession).
	ShiplineSession = Block{Start: "<!-- shipline-session:start -->", End: "<!-- shipline-session:end -->"}
	// RealhostFigures holds the real-engine scenarios' figures (test/realhost).
	RealhostFigures = Block{Start: "<!-- realhost-figures:start -->", End: "<!-- realhost-figures:end -->"}
)

// Content returns what stands between the markers of doc.
func (b Block) Content(doc string) (string, error) {
	i, j, err := b.find(doc)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(doc[i:j], "\n"), nil
}

// Replace puts content between the markers of doc; content gets a final
// newline if it has none.
func (b Block) Replace(doc, content string) (string, error) {
	i, j, err := b.find(doc)
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(content, "\n") {
		content += "\n"
	}
	return doc[:i] + "\n" + content + doc[j:], nil
}

// find returns the offsets just after the start marker and at the end marker.
func (b Block) find(doc string) (int, int, error) {
	i := strings.Index(doc, b.Start)
	j := strings.Index(doc, b.End)
	switch {
	case i < 0 || j < 0:
		return 0, 0, fmt.Errorf("no %s … %s block", b.Start, b.End)
	case j < i:
		return 0, 0, fmt.Errorf("%s comes before %s", b.End, b.Start)
	case strings.Count(doc, b.Start) > 1 || strings.Count(doc, b.End) > 1:
		return 0, 0, fmt.Errorf("more than one %s block", b.Start)
	}
	return i + len(b.Start), j, nil
}
