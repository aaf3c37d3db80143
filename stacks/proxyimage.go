package stacks

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/config"
)

// The default proxy image: the Docker Official nginx image of the ECR Public
// gallery (public.ecr.aws/docker/library/nginx, the same manifests as
// Docker Hub's library/nginx), stable 1.30.5 on Alpine, pinned by the digest
// of its multi-platform index as recorded by docker-library/repo-info
// (repos/nginx/remote/1.30.5-alpine.md, commit 35d0d2e1b83352ed6b2de8c0784080e1784106bc).
// Hosts pull it from the account's own registry through a pull-through
// cache rule, so a deployment needs neither Docker Hub nor the internet
// (hosts in private subnets reach ECR through its VPC endpoints).
const (
	proxyUpstream   = "docker/library/nginx"
	proxyReference  = ":1.30.5-alpine@sha256:0985e772fb9f729e6fa0980da05fca5d9c468e870eed43071545afa9d2e27d94"
	ecrPublicURL    = "public.ecr.aws"
	pullThroughTail = "-public"
)

// proxyCachePrefix is the repository prefix of the app's pull-through
// cache rule: unique per app in the account's registry, and within ECR's 30
// characters.
func proxyCachePrefix(appName string) string {
	name := appName
	if max := 30 - len(pullThroughTail); len(name) > max {
		name = strings.TrimRight(name[:max], "-")
	}
	return name + pullThroughTail
}

// proxyImage is the image the hosts run as the proxy: the proxyImage
// setting, or the default through a pull-through cache rule for the ECR
// Public gallery that it creates. It returns the rule's prefix ("" without
// a rule) for the hosts' permissions.
func (s *PipelineStack) proxyImage(cfg config.Config) (image *string, prefix string) {
	if cfg.ProxyImage != "" {
		return jsii.String(cfg.ProxyImage), ""
	}
	prefix = proxyCachePrefix(cfg.AppName)
	// Amazon ECR user guide, "Creating a pull through cache rule": ECR
	// Public needs no credentials.
	awsecr.NewCfnPullThroughCacheRule(s, jsii.String("ProxyImageCache"), &awsecr.CfnPullThroughCacheRuleProps{
		EcrRepositoryPrefix: jsii.String(prefix),
		UpstreamRegistry:    jsii.String("ecr-public"),
		UpstreamRegistryUrl: jsii.String(ecrPublicURL),
	})
	return awscdk.Fn_Join(jsii.String(""), &[]*string{
		s.Account(), jsii.String(".dkr.ecr."), s.Region(), jsii.String("."), s.UrlSuffix(),
		jsii.String("/" + prefix + "/" + proxyUpstream + proxyReference),
	}), prefix
}

func (s *PipelineStack) pullThroughPrefix() *string {
	if s.proxyCache == "" {
		return nil
	}
	return jsii.String(s.proxyCache)
}
