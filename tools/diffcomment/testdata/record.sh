#!/usr/bin/env bash
# Records the `cdk diff` outputs in this folder: synthesizes two versions of a
# small stack per scenario (gen/main.go) and diffs them offline with
# `cdk diff --template`, which needs no AWS account. Run from the repository
# root: bash tools/diffcomment/testdata/record.sh
set -euo pipefail

here=tools/diffcomment/testdata
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go run ./$here/gen -out "$work"

export AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= AWS_PROFILE= CI=
for dir in "$work"/*/; do
  name=$(basename "$dir")
  # stdout and stderr together, as the workflow captures them.
  npx --no-install cdk diff PipelineStack --no-color \
    --app "$dir/new" --template "$dir/old/PipelineStack.template.json" \
    >"$here/$name.txt" 2>&1 || true
done

# One colored recording, to test that ANSI escapes are stripped.
dir="$work/iam-broadening"
npx --no-install cdk diff PipelineStack --color \
  --app "$dir/new" --template "$dir/old/PipelineStack.template.json" \
  >"$here/iam-broadening-color.txt" 2>&1 || true

# A diff that fails: the stack name matches nothing.
dir="$work/no-change"
npx --no-install cdk diff NoSuchStack --no-color \
  --app "$dir/new" --template "$dir/old/PipelineStack.template.json" \
  >"$here/error.txt" 2>&1 || true
