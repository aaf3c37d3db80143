package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// staging is where the app synthesizes before the cloud assembly reaches
// the directory the CDK CLI reads (CDK_OUTDIR). aws-cdk-lib writes the
// templates before its own template validation runs, so a synth that fails
// there would otherwise leave a template behind that `cdk deploy --app`
// could pick up.
type staging struct {
	final, tmp string
}

// newStaging prepares a directory beside final (same file system, so the
// commit is a rename). With no final directory, the CDK picks its own.
func newStaging(final string) (*staging, error) {
	if final == "" {
		return &staging{}, nil
	}
	if err := os.MkdirAll(final, 0o755); err != nil {
		return nil, fmt.Errorf("cloud assembly directory: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(final)), ".shipline-synth-")
	if err != nil {
		return nil, fmt.Errorf("cloud assembly directory: %w", err)
	}
	return &staging{final: final, tmp: tmp}, nil
}

// dir is the outdir to synthesize into; nil lets the CDK choose.
func (s *staging) dir() *string {
	if s.tmp == "" {
		return nil
	}
	return &s.tmp
}

// commit moves the synthesized assembly into the final directory, entry by
// entry, replacing what a previous synth left there.
func (s *staging) commit() error {
	if s.tmp == "" {
		return nil
	}
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return err
	}
	for _, e := range entries {
		dst := filepath.Join(s.final, e.Name())
		if err := os.RemoveAll(dst); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(s.tmp, e.Name()), dst); err != nil {
			return err
		}
	}
	return nil
}

// discard removes the staging directory and whatever a failed synth left
// in it.
func (s *staging) discard() {
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
	}
}
