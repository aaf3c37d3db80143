#!/usr/bin/env node
// Compares two CloudFormation templates with the CDK's own diff engine (the
// one `cdk diff` uses) and prints the result as JSON for tools/diffcomment:
//
//   node diff.js DEPLOYED.json SYNTHESIZED.json
//
// An empty or missing DEPLOYED file stands for a stack not deployed yet. The
// JSON holds every changed resource with its impact, the IAM, managed policy
// and security group rows `cdk diff` tabulates, the other changed sections,
// and the text `cdk diff` would print (no colors).
'use strict';

process.env.FORCE_COLOR = '0';
const fs = require('fs');
const { Writable } = require('stream');
const { fullDiff, formatDifferences } = require('@aws-cdk/cloudformation-diff');

function readTemplate(file) {
  if (!file || !fs.existsSync(file)) return {};
  const text = fs.readFileSync(file, 'utf8').trim();
  if (text === '') return {};
  let value = JSON.parse(text);
  // `aws cloudformation get-template` may give the body as a JSON string.
  if (typeof value === 'string') value = JSON.parse(value);
  return value;
}

// The CLI hides the bootstrap version rule the same way before diffing.
function obscure(template) {
  if (template.Rules && template.Rules.CheckBootstrapVersion) {
    delete template.Rules.CheckBootstrapVersion;
    if (Object.keys(template.Rules).length === 0) delete template.Rules;
  }
  return template;
}

function cdkPaths(...templates) {
  const paths = {};
  for (const t of templates) {
    for (const [id, r] of Object.entries(t.Resources || {})) {
      const p = r && r.Metadata && r.Metadata['aws:cdk:path'];
      if (p) paths[id] = p;
    }
  }
  return paths;
}

// A summary table, header row first, cells trimmed.
function table(rows) {
  return rows.map((row) => row.map((cell) => String(cell).trim()));
}

function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write('usage: node diff.js DEPLOYED.json SYNTHESIZED.json\n');
    process.exit(2);
  }
  const oldTemplate = obscure(readTemplate(argv[0]));
  const newTemplate = obscure(readTemplate(argv[1]));
  const paths = cdkPaths(newTemplate, oldTemplate);
  const diff = fullDiff(oldTemplate, newTemplate);

  const resources = [];
  diff.resources.forEachDifference((logicalId, change) => {
    resources.push({
      logicalId,
      type: change.newResourceType || change.oldResourceType,
      oldType: change.oldResourceType || '',
      path: paths[logicalId] || '',
      impact: change.changeImpact,
      properties: Object.keys(change.propertyUpdates).sort(),
      other: Object.keys(change.otherChanges).sort(),
    });
  });

  const sections = [];
  for (const [name, collection] of [
    ['Parameters', diff.parameters], ['Metadata', diff.metadata], ['Mappings', diff.mappings],
    ['Conditions', diff.conditions], ['Outputs', diff.outputs], ['Other Changes', diff.unknown],
  ]) {
    if (collection.differenceCount > 0) sections.push(name);
  }

  let text = '';
  const sink = new Writable({
    write(chunk, _encoding, done) { text += chunk.toString(); done(); },
  });
  sink.columns = 120;
  formatDifferences(sink, diff, paths);

  const out = {
    resources,
    iamStatements: table(diff.iamChanges.summarizeStatements()),
    managedPolicies: table(diff.iamChanges.summarizeManagedPolicies()),
    securityGroups: table(diff.securityGroupChanges.summarize()),
    sections,
    text,
  };
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main(process.argv.slice(2));
