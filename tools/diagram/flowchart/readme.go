package flowchart

import (
	"fmt"
	"strings"
)

// The README markers around the generated diagram.
const (
	StartMarker = "<!-- diagram:start -->"
	EndMarker   = "<!-- diagram:end -->"
)

// ReadmeBlock returns what stands between the markers in readme.
func ReadmeBlock(readme string) (string, error) {
	start, end, err := markers(readme)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(readme[start:end], "\n"), nil
}

// ReplaceReadmeBlock puts block between the markers of readme.
func ReplaceReadmeBlock(readme, block string) (string, error) {
	start, end, err := markers(readme)
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(block, "\n") {
		block += "\n"
	}
	return readme[:start] + "\n" + block + readme[end:], nil
}

// markers returns the offsets just after the start marker and at the end marker.
func markers(readme string) (int, int, error) {
	i := strings.Index(readme, StartMarker)
	j := strings.Index(readme, EndMarker)
	switch {
	case i < 0 || j < 0:
		return 0, 0, fmt.Errorf("the README has no %s … %s block", StartMarker, EndMarker)
	case j < i:
		return 0, 0, fmt.Errorf("%s comes before %s in the README", EndMarker, StartMarker)
	case strings.Count(readme, StartMarker) > 1 || strings.Count(readme, EndMarker) > 1:
		return 0, 0, fmt.Errorf("the README has more than one %s block", StartMarker)
	}
	return i + len(StartMarker), j, nil
}
