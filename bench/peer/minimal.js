// A minimal stack synthesized directly with aws-cdk-lib: the fixed cost of
// any CDK app on Node (Node start, loading aws-cdk-lib, one synth with its
// template validation), the peer of bench/cmd/minimalapp. One resource that
// needs no properties, since the project's context fails an empty stack.
'use strict';

const cdk = require('aws-cdk-lib');

const app = new cdk.App();
const stack = new cdk.Stack(app, 'MinimalStack');
new cdk.CfnWaitConditionHandle(stack, 'Handle');
app.synth();
