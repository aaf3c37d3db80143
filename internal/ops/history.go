package ops

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
)

// historyLimit bounds how many deployments are read: enough to find a few
// releases back on a group that deploys often, few enough to answer quickly.
const historyLimit = 50

// deployments returns the group's deployments, newest first.
func deployments(ctx context.Context, c *Clients, s *Stack) ([]types.DeploymentInfo, error) {
	var ids []string
	p := codedeploy.NewListDeploymentsPaginator(c.CodeDeploy, &codedeploy.ListDeploymentsInput{
		ApplicationName: &s.Application, DeploymentGroupName: &s.DeploymentGroup,
	})
	for p.HasMorePages() && len(ids) < historyLimit*4 {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, groupError(s, err)
		}
		ids = append(ids, page.Deployments...)
	}
	var all []types.DeploymentInfo
	for chunk := range slices.Chunk(ids, 25) {
		out, err := c.CodeDeploy.BatchGetDeployments(ctx, &codedeploy.BatchGetDeploymentsInput{DeploymentIds: chunk})
		if err != nil {
			return nil, explain(err)
		}
		all = append(all, out.DeploymentsInfo...)
	}
	slices.SortStableFunc(all, func(a, b types.DeploymentInfo) int {
		return timeOf(b.CreateTime).Compare(timeOf(a.CreateTime))
	})
	if len(all) > historyLimit {
		all = all[:historyLimit]
	}
	return all, nil
}

// groupError names the deployment group that is not where the stack's
// outputs say, and where it was looked for.
func groupError(s *Stack, err error) error {
	switch errorCode(err) {
	case "ApplicationDoesNotExistException", "DeploymentGroupDoesNotExistException":
		return fmt.Errorf("deployment group %s of application %s (stack outputs %s, %s) does not exist%s: was it deleted outside CloudFormation?",
			s.DeploymentGroup, s.Application, s.outputKey(&s.DeploymentGroup), s.outputKey(&s.Application), s.elsewhere())
	}
	return explain(err)
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
