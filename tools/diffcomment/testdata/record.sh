#!/usr/bin/env bash
# Records the template pairs tools/diffcomment is tested on, offline: each
# scenario folder holds deployed.json (the version taken as deployed) and
# synthesized.json (the version of a pull request).
#   - the small stacks of gen/main.go, one pair per scenario;
#   - removal-destroy: shipline's own default stack against the same stack
#     with `-c removalPolicy=destroy`;
#   - not-deployed: the default stack against nothing;
#   - environments: the README's two-environment example, against it with
#     changes and a third environment (below).
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

# environments: the README's two-environment example (staging in the
# pipeline's account, production in another) as deployed; the pull request
# changes staging's deployment config (a resource of the pipeline's stack)
# and production's check (a stage of the pipeline), and adds dr after
# production, in a third account (a stack not deployed yet). dr comes after
# production in the pipeline and before it in the alphabet.
example_args() {
  # shellcheck disable=SC2016 # JavaScript in single quotes
  node -e '
    const text = require("fs").readFileSync("README.md", "utf8");
    const block = text.split("<!-- environments-example:start -->")[1].split("<!-- environments-example:end -->")[0];
    const ex = JSON.parse("{" + block.replace(/^\s*```json\n/, "").replace(/```\s*$/, "") + "}");
    if (process.argv[1] === "changed") {
      ex.environments[0].deploymentConfig = "HalfAtATime";
      ex.environments[1].checkAttempts = 30;
      ex.environments.push({ name: "dr", account: "333333333333", autoScalingGroupName: "myapp-dr" });
    }
    for (const a of ["-c", "account=" + ex.account, "-c", "region=" + ex.region, "-c", "environments=" + JSON.stringify(ex.environments)]) console.log(a);
  ' "$1"
}
mapfile -t deployed_args < <(example_args as-is)
mapfile -t changed_args < <(example_args changed)
npx --no-install cdk synth --quiet "${deployed_args[@]}" -o "$work/envs-deployed"
npx --no-install cdk synth --quiet "${changed_args[@]}" -o "$work/envs-synthesized"
rm -rf "$here/environments"
mkdir -p "$here/environments/deployed" "$here/environments/synthesized"
for f in "$work/envs-deployed"/*.template.json; do
  cp "$f" "$here/environments/deployed/$(basename "$f" .template.json).json"
done
cp "$work/envs-synthesized"/manifest.json "$work/envs-synthesized"/*.template.json "$here/environments/synthesized/"
