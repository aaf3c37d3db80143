package mdblock_test

import (
	"testing"

	"github.com/shipline/shipline/internal/mdblock"
)

func TestReplaceAndContent(t *testing.T) {
	b := mdblock.Diagram
	readme := "# x\n\n" + b.Start + "\nold\n" + b.End + "\n\nmore\n"
	out, err := b.Replace(readme, "```mermaid\nnew\n```")
	if err != nil {
		t.Fatal(err)
	}
	want := "# x\n\n" + b.Start + "\n```mermaid\nnew\n```\n" + b.End + "\n\nmore\n"
	if out != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
	content, err := b.Content(out)
	if err != nil || content != "```mermaid\nnew\n```\n" {
		t.Errorf("Content = %q, %v", content, err)
	}
	if again, _ := b.Replace(out, "```mermaid\nnew\n```\n"); again != out {
		t.Error("replacing with the same content changed the document")
	}
}

func TestBadMarkers(t *testing.T) {
	b := mdblock.ConfigReference
	for _, doc := range []string{
		"no markers",
		b.Start + " only",
		b.End + "\n" + b.Start,
		b.Start + b.End + b.Start + b.End,
	} {
		if _, err := b.Replace(doc, "x"); err == nil {
			t.Errorf("Replace: no error for %q", doc)
		}
		if _, err := b.Content(doc); err == nil {
			t.Errorf("Content: no error for %q", doc)
		}
	}
}
