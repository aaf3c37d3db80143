package ops

import (
	"context"
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
			return nil, explain(err)
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

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
