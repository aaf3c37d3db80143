// Package config turns the settings a user gives shipline (the "context" of
// cdk.json and `cdk synth -c key=value`) into one typed, validated Config.
//
// Reading happens once, in FromContext: each setting is decoded from its raw
// JSON or string form into its Go type (enums shared with the constructs,
// durations, counts, a parsed deployment config), defaults come from the
// settings table (Settings), and every mistake is gathered. The stack only
// reads the resulting values; it never parses a setting again.
//
// Every error is one line of the form
//
//	<setting>: got <value>, want <what is allowed>
//
// with numeric ranges stated and secret-looking values never echoed.
// Config.Validate runs the same value checks on a Config built in Go, so a
// stack built from Go reports every mistake too.
package config
