// Package workflowlint holds the test that lints the GitHub Actions workflows in
// .github/workflows with actionlint, so `go test ./...` catches a broken workflow
// before GitHub does.
package workflowlint
