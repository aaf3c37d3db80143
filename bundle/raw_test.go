package bundle_test

import "github.com/shipline/shipline/bundle"

// writeRaw writes the bundle as embedded, without rendering the app name.
func writeRaw(dir string) error { return bundle.WriteTo(dir) }
