#!/usr/bin/env bash
# Records the template pairs tools/diffcomment is tested on, offline: each
# scenario folder holds deployed.json (the version taken as deployed) and
# synthesized.json (the version of a pull request).
#   - the small stacks of gen/main.go, one pair per scenario;
#   - removal-destroy: shipline's own default stack against the same stack
#     with `-c removalPolicy=destroy`;
#   - not-deployed: the default stack against nothing.
# Run from the repository root: bash tools/diffcomment/testdata/record.sh
set -euo pipefail

here=tools/diffcomment/testdata
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go run ./$here/gen -out "$here"

npx --no-install cdk synth PipelineStack --quiet -o "$work/default"
npx --no-install cdk synth PipelineStack --quiet -c removalPolicy=destroy -o "$work/destroy"
mkdir -p "$here/removal-destroy" "$here/not-deployed"
cp "$work/default/PipelineStack.template.json" "$here/removal-destroy/deployed.json"
cp "$work/destroy/PipelineStack.template.json" "$here/removal-destroy/synthesized.json"
: >"$here/not-deployed/deployed.json"
cp "$work/default/PipelineStack.template.json" "$here/not-deployed/synthesized.json"
