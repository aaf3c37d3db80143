// Package mdblock replaces generated blocks of a Markdown file, found between
// two marker comments, so that generated documentation cannot drift.
package mdblock

import (
	"fmt"
	"strings"
)

// Replace puts content between the start and end markers of doc.
func Replace(doc, start, end, content string) (string, error) {
	i := strings.Index(doc, start)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("markers %s and %s not found in order", start, end)
	}
	if !strings.HasSuffix(content, "\n") {
		content += "\n"
	}
	return doc[:i+len(start)] + "\n" + content + doc[j:], nil
}
