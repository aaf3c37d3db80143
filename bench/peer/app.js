// The default shipline stack (PipelineStack), written directly against
// aws-cdk-lib in plain JavaScript, with no jsii in between: the floor any CDK
// app synthesizing these resources pays. It mirrors what the Go app builds
// for the default cdk.json (managed buildspec and deploy bundle, a new
// connection, topic and artifact bucket, agent installed once, no managed
// host, no diff role, no cdk-nag); `go run ./bench/cmd/bench -check` compares
// the resource types and counts of the two templates.
//
// Run it the way the CDK CLI runs an app: CDK_OUTDIR=<dir> and
// CDK_CONTEXT_JSON=<cdk.json's context as JSON> in the environment.
'use strict';

const fs = require('fs');
const path = require('path');
const cdk = require('aws-cdk-lib');
const { Construct } = require('constructs');
const codebuild = require('aws-cdk-lib/aws-codebuild');
const codeconnections = require('aws-cdk-lib/aws-codeconnections');
const codedeploy = require('aws-cdk-lib/aws-codedeploy');
const codepipeline = require('aws-cdk-lib/aws-codepipeline');
const actions = require('aws-cdk-lib/aws-codepipeline-actions');
const notifications = require('aws-cdk-lib/aws-codestarnotifications');
const ecr = require('aws-cdk-lib/aws-ecr');
const iam = require('aws-cdk-lib/aws-iam');
const kms = require('aws-cdk-lib/aws-kms');
const logs = require('aws-cdk-lib/aws-logs');
const s3 = require('aws-cdk-lib/aws-s3');
const s3assets = require('aws-cdk-lib/aws-s3-assets');
const sns = require('aws-cdk-lib/aws-sns');
const subs = require('aws-cdk-lib/aws-sns-subscriptions');
const ssm = require('aws-cdk-lib/aws-ssm');
// aws-cdk-lib bundles a YAML parser; the peer uses it rather than adding one.
const YAML = require(require.resolve('yaml', { paths: [path.dirname(require.resolve('aws-cdk-lib'))] }));

const REPO = path.resolve(__dirname, '..', '..');

// sortKeys copies plain objects with their keys sorted, depth levels down.
function sortKeys(v, depth = Infinity) {
  if (Array.isArray(v)) return depth > 0 ? v.map((x) => sortKeys(x, depth - 1)) : v;
  if (v === null || typeof v !== 'object' || depth <= 0) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k], depth - 1)]));
}

// The settings the Go app reads from context, with the same defaults.
function config(app) {
  const get = (key, def) => {
    const v = app.node.tryGetContext(key);
    return v === undefined || v === null ? def : v;
  };
  const list = (key, def) => {
    const v = get(key, def);
    return Array.isArray(v) ? v : String(v).split(',').filter((s) => s !== '');
  };
  const appName = get('appName', 'myapp');
  const tagValues = list('deployTagValues', []);
  return {
    appName,
    owner: get('githubOwner', 'your-github-owner'),
    repo: get('githubRepo', 'your-app-repo'),
    branch: get('githubBranch', 'main'),
    emails: list('approverEmails', ['approver@example.com']),
    tagKey: get('deployTagKey', 'App'),
    tagValues: tagValues.length ? tagValues : [appName],
    computeType: String(get('buildComputeType', 'SMALL')).replace(/^BUILD_GENERAL1_/, ''),
    timeoutMinutes: Number(get('buildTimeoutMinutes', 30)),
    concurrency: Number(get('buildConcurrencyLimit', 1)),
    keepReleaseImages: Number(get('keepReleaseImages', 20)),
    artifactDays: Number(get('artifactExpirationDays', 30)),
    retain: get('removalPolicy', 'retain') !== 'destroy',
    arm: get('architecture', 'x86_64') === 'arm64',
    parameterPath: `/${appName}/`,
    parameters: {
      APP_PORT: String(get('appPort', 8080)),
      HEALTH_CHECK_PATH: get('healthCheckPath', '/health'),
      HTTP_PORT: String(get('httpPort', 80)),
    },
  };
}

class PipelineStack extends cdk.Stack {
  constructor(scope, id, cfg) {
    super(scope, id, { description: 'shipline: GitHub → approval → Docker build → CodeDeploy to EC2' });
    const removalPolicy = cfg.retain ? cdk.RemovalPolicy.RETAIN : cdk.RemovalPolicy.DESTROY;
    const destroy = !cfg.retain;
    if (cfg.owner === 'your-github-owner') {
      cdk.Annotations.of(this).addWarningV2('shipline:config:githubOwner', 'githubOwner is the placeholder "your-github-owner": set it to the owner of your app repository');
    }
    if (cfg.repo === 'your-app-repo') {
      cdk.Annotations.of(this).addWarningV2('shipline:config:githubRepo', 'githubRepo is the placeholder "your-app-repo": set it to your app repository');
    }
    if (cfg.emails.some((e) => e.toLowerCase() === 'approver@example.com')) {
      cdk.Annotations.of(this).addWarningV2('shipline:config:approverEmails', 'approverEmails holds the placeholder "approver@example.com": set the approvers\' addresses');
    }

    // imagerepo.Repository
    const repoScope = new Construct(this, 'ImageRepository');
    const repository = new ecr.Repository(repoScope, 'Resource', {
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
      imageTagMutabilityExclusionFilters: ['latest', 'buildcache'].map((t) => ecr.ImageTagMutabilityExclusionFilter.wildcard(t)),
      encryption: ecr.RepositoryEncryption.AES_256,
      removalPolicy,
      emptyOnDelete: destroy,
      lifecycleRules: [
        { rulePriority: 1, description: 'Expire untagged images', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: cdk.Duration.days(1) },
        {
          rulePriority: 2,
          description: `Keep the last ${cfg.keepReleaseImages} release images`,
          tagStatus: ecr.TagStatus.TAGGED,
          tagPrefixList: ['sha-'],
          maxImageCount: cfg.keepReleaseImages,
        },
      ],
    });

    // dockerbuild.Project with the managed buildspec and deploy bundle
    const buildScope = new Construct(this, 'DockerBuild');
    const logGroup = new logs.LogGroup(buildScope, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy });
    const bundle = new s3assets.Asset(buildScope, 'DeployBundle', { path: path.join(REPO, 'bundle', 'files') });
    // Go maps cross jsii with sorted keys; sorting here gives the same template.
    const spec = sortKeys(YAML.parse(fs.readFileSync(path.join(REPO, 'bundle', 'buildspec.yml'), 'utf8')));
    const plain = (value) => ({ value });
    const project = new codebuild.PipelineProject(buildScope, 'Resource', {
      description: 'Builds the application image and pushes it to ECR',
      environment: {
        buildImage: cfg.arm ? codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0 : codebuild.LinuxBuildImage.STANDARD_7_0,
        computeType: codebuild.ComputeType[cfg.computeType],
        privileged: true,
      },
      environmentVariables: sortKeys({
        AWS_ACCOUNT_ID: plain(this.account),
        AWS_DEFAULT_REGION: plain(this.region),
        IMAGE_REPO_NAME: plain(repository.repositoryName),
        REPOSITORY_URI: plain(repository.repositoryUri),
        IMAGE_PLATFORM: plain(cfg.arm ? 'linux/arm64' : 'linux/amd64'),
        APP_NAME: plain(cfg.appName),
        PARAMETER_PATH: plain(cfg.parameterPath),
        DOCKERFILE: plain('Dockerfile'),
        BUILD_CONTEXT: plain('.'),
        MOVING_TAG: plain('latest'),
        CACHE_TAG: plain('buildcache'),
        BUNDLE_S3_URL: plain(bundle.s3ObjectUrl),
        BUILD_SECRET_IDS: plain(''),
      }, 1),
      buildSpec: codebuild.BuildSpec.fromObjectToYaml(spec),
      timeout: cdk.Duration.minutes(cfg.timeoutMinutes),
      concurrentBuildLimit: cfg.concurrency === 0 ? undefined : cfg.concurrency,
      checkSecretsInPlainTextEnvVariables: true,
      logging: { cloudWatch: { logGroup } },
    });
    repository.grantPullPush(project);
    bundle.grantRead(project);

    // manualapproval.Approval
    const approvalScope = new Construct(this, 'Approval');
    const key = new kms.Key(approvalScope, 'Key', {
      description: "Encrypts the pipeline's approval and notification topic",
      enableKeyRotation: true,
    });
    const topic = new sns.Topic(approvalScope, 'Resource', { displayName: 'Pipeline approvals', enforceSSL: true, masterKey: key });
    for (const e of cfg.emails) topic.addSubscription(new subs.EmailSubscription(e));

    // serverdeploy.DeploymentGroup with the agent association
    const deployScope = new Construct(this, 'ServerDeploy');
    const application = new codedeploy.ServerApplication(deployScope, 'Application');
    const tags = new codedeploy.InstanceTagSet({ [cfg.tagKey]: cfg.tagValues });
    const group = new codedeploy.ServerDeploymentGroup(deployScope, 'Resource', {
      application,
      ec2InstanceTags: tags,
      deploymentConfig: codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME,
      installAgent: false,
      autoRollback: { failedDeployment: true, stoppedDeployment: true },
    });
    const cfnGroup = group.node.defaultChild;
    cfnGroup.addPropertyOverride('TriggerConfigurations', [{
      TriggerName: 'deployment-events',
      TriggerTargetArn: topic.topicArn,
      TriggerEvents: ['DeploymentFailure', 'DeploymentStop', 'DeploymentRollback'],
    }]);
    cfnGroup.node.addDependency(topic.grantPublish(group.role));
    const agentScope = new Construct(deployScope, 'AgentInstall');
    new ssm.CfnAssociation(agentScope, 'Tags', {
      name: 'AWS-ConfigureAWSPackage',
      parameters: { action: ['Install'], name: ['AWSCodeDeployAgent'] },
      targets: [{ key: `tag:${cfg.tagKey}`, values: cfg.tagValues }],
    });

    // releasepipeline.Pipeline
    const pipeScope = new Construct(this, 'ReleasePipeline');
    const connection = new codeconnections.CfnConnection(pipeScope, 'Connection', {
      connectionName: cdk.Names.uniqueResourceName(pipeScope, { maxLength: 32 }),
      providerType: 'GitHub',
    });
    const connectionArn = connection.attrConnectionArn;
    const accessLogs = new s3.Bucket(pipeScope, 'AccessLogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: cdk.Duration.days(90), abortIncompleteMultipartUploadAfter: cdk.Duration.days(1) }],
      removalPolicy,
      autoDeleteObjects: destroy,
    });
    const bucket = new s3.Bucket(pipeScope, 'ArtifactBucket', {
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifact-bucket/',
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: false,
      lifecycleRules: [{ expiration: cdk.Duration.days(cfg.artifactDays), abortIncompleteMultipartUploadAfter: cdk.Duration.days(1) }],
      removalPolicy,
      autoDeleteObjects: destroy,
    });
    const sourceRole = new iam.Role(pipeScope, 'SourceActionRole', { assumedBy: new iam.AccountRootPrincipal() });
    const parts = cdk.Fn.split(':', connectionArn, 6);
    const alt = (service) => cdk.Fn.join(':', ['arn', cdk.Fn.select(1, parts), service, cdk.Fn.select(3, parts), cdk.Fn.select(4, parts), cdk.Fn.select(5, parts)]);
    sourceRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'],
      resources: [alt('codestar-connections'), alt('codeconnections')],
    }));
    const sourceOutput = new codepipeline.Artifact('Source');
    const buildOutput = new codepipeline.Artifact('Bundle');
    const source = new actions.CodeStarConnectionsSourceAction({
      actionName: 'GitHub',
      connectionArn,
      owner: cfg.owner,
      repo: cfg.repo,
      branch: cfg.branch,
      output: sourceOutput,
      role: sourceRole,
      triggerOnPush: true,
      variablesNamespace: 'SourceVariables',
    });
    const approve = new actions.ManualApprovalAction({
      actionName: 'Approve',
      notificationTopic: topic,
      additionalInformation: `Commit ${source.variables.commitId} on ${cfg.owner}/${cfg.repo}@${cfg.branch}: ${source.variables.commitMessage}`,
      externalEntityLink: `https://github.com/${cfg.owner}/${cfg.repo}/commit/${source.variables.commitId}`,
    });
    const build = new actions.CodeBuildAction({ actionName: 'DockerBuild', project, input: sourceOutput, outputs: [buildOutput] });
    const deploy = new actions.CodeDeployServerDeployAction({ actionName: 'Deploy', deploymentGroup: group, input: buildOutput });
    const pipeline = new codepipeline.Pipeline(pipeScope, 'Resource', {
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket: bucket,
      crossAccountKeys: false,
      stages: [
        { stageName: 'Source', actions: [source] },
        { stageName: 'Approval', actions: [approve] },
        { stageName: 'Build', actions: [build] },
        { stageName: 'Deploy', actions: [deploy] },
      ],
      triggers: [{
        providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
        gitConfiguration: { sourceAction: source, pushFilter: [{ branchesIncludes: [cfg.branch] }] },
      }],
    });
    new notifications.NotificationRule(pipeScope, 'Notifications', {
      source: pipeline,
      events: [
        'codepipeline-pipeline-pipeline-execution-failed',
        'codepipeline-pipeline-manual-approval-needed',
        'codepipeline-pipeline-pipeline-execution-succeeded',
      ],
      targets: [topic],
      detailType: notifications.DetailType.FULL,
    });

    // Deploy parameters under /<appName>/
    for (const name of Object.keys(cfg.parameters).sort()) {
      new ssm.StringParameter(this, `Param${name}`, {
        parameterName: cfg.parameterPath + name,
        stringValue: cfg.parameters[name],
        description: 'Read by the deploy hooks into .env; managed by the shipline stack',
        tier: ssm.ParameterTier.STANDARD,
      });
    }

    // serverdeploy.HostAccess
    const hostScope = new Construct(this, 'HostAccess');
    const name = cfg.parameterPath.replace(/^\/+|\/+$/g, '');
    const paramArn = (resourceName) => this.formatArn({ service: 'ssm', resource: 'parameter', resourceName, arnFormat: cdk.ArnFormat.SLASH_RESOURCE_NAME });
    const hostPolicy = new iam.ManagedPolicy(hostScope, 'Resource', {
      description: `Deployment target access for ${cfg.parameterPath}: deploy bundles, image pull, settings`,
      statements: [
        new iam.PolicyStatement({ sid: 'ReadDeployBundles', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [bucket.arnForObjects('*')] }),
        new iam.PolicyStatement({
          sid: 'PullImage',
          actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          resources: [repository.repositoryArn],
        }),
        new iam.PolicyStatement({ sid: 'RegistryLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'ReadSettings',
          actions: ['ssm:GetParametersByPath', 'ssm:GetParameters', 'ssm:GetParameter'],
          resources: [paramArn(name), paramArn(`${name}/*`)],
        }),
      ],
    });

    const out = (id, description, value) => new cdk.CfnOutput(this, id, { value, description });
    out('PipelineName', 'Name of the release pipeline', pipeline.pipelineName);
    out('PipelineConsoleUrl', 'The pipeline in the AWS console', cdk.Fn.join('', [
      'https://', this.region, '.console.aws.amazon.com/codesuite/codepipeline/pipelines/', pipeline.pipelineName, '/view?region=', this.region,
    ]));
    out('RepositoryUri', 'ECR repository that receives the image', repository.repositoryUri);
    out('ConnectionArn', 'GitHub connection created PENDING: complete it once in the console (Developer Tools > Settings > Connections > Update pending connection), then release the pipeline', connectionArn);
    out('ApprovalTopicArn', 'SNS topic announcing approvals and deployment events; approvers must confirm their subscription email', topic.topicArn);
    out('DeploymentGroupName', 'CodeDeploy deployment group', group.deploymentGroupName);
    out('HostPolicyArn', "Policy for deployment targets: attach it, with AmazonSSMManagedInstanceCore, to your hosts' instance profile role", hostPolicy.managedPolicyArn);
  }
}

const app = new cdk.App();
new PipelineStack(app, 'PipelineStack', config(app));
app.synth();
