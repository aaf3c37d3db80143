// Package stacks composes shipline's constructs into one stack:
// PipelineStack, the delivery pipeline from a GitHub push to the hosts.
//
// The stack is built from a config.Config, which package config reads from
// CDK context and validates once; the stack only reads its typed values.
// NewPipelineStack with nil props builds the default configuration.
package stacks
