// Package flowchart draws the pipelines of a synthesized CloudFormation
// template as a Mermaid flowchart: each stage in order, with its entry
// conditions (an alarm that holds it) and what a failure does (roll back),
// its actions (name, provider, the account they act in, the URL a check
// requests), and the resources the actions use, found by following Ref and
// Fn::GetAtt to the template's logical ids, or by name in the other stacks of
// the app (a deployment group in another account). The output depends only
// on the templates, so it can be kept in a README and checked for staleness.
package flowchart

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Template is the part of a CloudFormation template the chart reads.
type Template struct {
	Resources map[string]Resource `json:"Resources"`
	// Name is the stack's name, shown on the resources of a stack other
	// than the pipeline's; the caller sets it.
	Name string `json:"-"`
}

// Resource is one template resource.
type Resource struct {
	Type       string                 `json:"Type"`
	Properties map[string]interface{} `json:"Properties"`
}

// Parse reads a template in JSON.
func Parse(data []byte) (*Template, error) {
	var t Template
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("not a CloudFormation template in JSON: %w", err)
	}
	if t.Resources == nil {
		return nil, errors.New("the template has no Resources")
	}
	return &t, nil
}

// Load reads the template file at path, named after the file as the CDK
// names it (PipelineStack-production.template.json: PipelineStack-production).
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.Name = strings.TrimSuffix(filepath.Base(path), ".template.json")
	return t, nil
}

// ErrNoPipeline is returned when the template has no AWS::CodePipeline::Pipeline.
var ErrNoPipeline = errors.New("the template has no AWS::CodePipeline::Pipeline")

// Render draws every pipeline of t, in logical id order, as one flowchart
// (Mermaid source, without the code fence). others are the app's other
// stacks, where an action may act by name (a deployment group in another
// account).
func Render(t *Template, others ...*Template) (string, error) {
	var pipelines []string
	for id, r := range t.Resources {
		if r.Type == "AWS::CodePipeline::Pipeline" {
			pipelines = append(pipelines, id)
		}
	}
	if len(pipelines) == 0 {
		return "", ErrNoPipeline
	}
	sort.Strings(pipelines)
	c := &chart{t: t, others: others, declared: map[string]bool{}, seenEdge: map[string]bool{}}
	c.line(0, "flowchart LR")
	for i, id := range pipelines {
		c.pipeline(fmt.Sprintf("p%d", i+1), id)
	}
	for _, n := range c.nodes {
		c.line(1, n)
	}
	for _, e := range c.edges {
		c.line(1, e)
	}
	return c.b.String(), nil
}

// Block is Render wrapped in a ```mermaid fence, as it stands in the README.
func Block(t *Template, others ...*Template) (string, error) {
	s, err := Render(t, others...)
	if err != nil {
		return "", err
	}
	return "```mermaid\n" + s + "```\n", nil
}

type chart struct {
	t        *Template
	others   []*Template
	b        strings.Builder
	nodes    []string // resource nodes, in first-use order
	edges    []string
	declared map[string]bool
	seenEdge map[string]bool
}

func (c *chart) line(indent int, s string) {
	c.b.WriteString(strings.Repeat("  ", indent) + s + "\n")
}

func (c *chart) edge(from, arrow, to, label string) {
	var e string
	if label != "" {
		e = fmt.Sprintf("%s %s|%s| %s", from, arrow, quoteEdge(label), to)
	} else {
		e = fmt.Sprintf("%s %s %s", from, arrow, to)
	}
	if !c.seenEdge[e] {
		c.seenEdge[e] = true
		c.edges = append(c.edges, e)
	}
}

func (c *chart) pipeline(pid, logicalID string) {
	props := c.t.Resources[logicalID].Properties
	c.line(1, fmt.Sprintf(`subgraph %s ["%s"]`, pid, label("CodePipeline", logicalID)))
	c.line(2, "direction LR")
	stages, _ := props["Stages"].([]interface{})
	var stageIDs []string
	producers := map[string]string{} // artifact name: the action that outputs it
	for si, s := range stages {
		stage, _ := s.(map[string]interface{})
		sid := fmt.Sprintf("%s_s%d", pid, si+1)
		stageIDs = append(stageIDs, sid)
		c.line(2, fmt.Sprintf(`subgraph %s ["%s"]`, sid, stageLabel(si+1, stage)))
		for ei, cond := range entryConditions(stage) {
			c.line(3, fmt.Sprintf(`%s_e%d{{"%s"}}`, sid, ei+1, cond))
		}
		actions, _ := stage["Actions"].([]interface{})
		sortActions(actions)
		for ai, a := range actions {
			action, _ := a.(map[string]interface{})
			aid := fmt.Sprintf("%s_a%d", sid, ai+1)
			c.line(3, fmt.Sprintf(`%s["%s"]`, aid, c.actionLabel(action)))
			c.actionResources(aid, action)
			c.artifacts(aid, action, producers)
		}
		c.line(2, "end")
	}
	if len(stageIDs) > 1 {
		c.line(2, strings.Join(stageIDs, " --> "))
	}
	c.line(1, "end")

	stores := []interface{}{props["ArtifactStore"]}
	if multi, ok := props["ArtifactStores"].([]interface{}); ok {
		stores = nil
		for _, m := range multi {
			if mm, ok := m.(map[string]interface{}); ok {
				stores = append(stores, mm["ArtifactStore"])
			}
		}
	}
	for _, s := range stores {
		store, _ := s.(map[string]interface{})
		for _, id := range c.refs(store["Location"]) {
			c.edge(pid, "-.-", c.resourceNode(id), "artifacts")
		}
	}
}

// stageLabel is "N. Name", and what a failure of the stage does when it
// does more than fail.
func stageLabel(n int, stage map[string]interface{}) string {
	text := esc(fmt.Sprintf("%d. %s", n, str(stage["Name"])))
	onFailure, _ := stage["OnFailure"].(map[string]interface{})
	switch result := str(onFailure["Result"]); result {
	case "", "FAIL":
	case "ROLLBACK":
		text += "<br/>on failure: roll back"
	default:
		text += "<br/>on failure: " + esc(strings.ToLower(result))
	}
	return text
}

// entryConditions are the labels of a stage's BeforeEntry conditions, one
// per rule: what it watches and what happens when it is not met.
func entryConditions(stage map[string]interface{}) []string {
	before, _ := stage["BeforeEntry"].(map[string]interface{})
	conds, _ := before["Conditions"].([]interface{})
	var out []string
	for _, cv := range conds {
		cond, _ := cv.(map[string]interface{})
		result := strings.ToLower(str(cond["Result"]))
		rules, _ := cond["Rules"].([]interface{})
		for _, rv := range rules {
			rule, _ := rv.(map[string]interface{})
			typeID, _ := rule["RuleTypeId"].(map[string]interface{})
			cfg, _ := rule["Configuration"].(map[string]interface{})
			lines := []string{"<b>Before entry</b>"}
			if alarm := str(cfg["AlarmName"]); str(typeID["Provider"]) == "CloudWatchAlarm" && alarm != "" {
				lines = append(lines, "alarm "+esc(alarm), "in ALARM: "+esc(result))
			} else {
				lines = append(lines, esc(str(typeID["Provider"])+" "+str(rule["Name"])), "not met: "+esc(result))
			}
			out = append(out, strings.Join(lines, "<br/>"))
		}
	}
	return out
}

// artifacts records the artifacts an action outputs, and draws the one a
// deploy action takes from the action that built it: every deployment
// of one build shows an edge from the same build.
func (c *chart) artifacts(aid string, action map[string]interface{}, producers map[string]string) {
	typeID, _ := action["ActionTypeId"].(map[string]interface{})
	if str(typeID["Category"]) == "Deploy" {
		ins, _ := action["InputArtifacts"].([]interface{})
		for _, in := range ins {
			m, _ := in.(map[string]interface{})
			art := str(m["Name"])
			if from, ok := producers[art]; ok {
				c.edge(from, "==>", aid, art)
			}
		}
	}
	outs, _ := action["OutputArtifacts"].([]interface{})
	for _, out := range outs {
		m, _ := out.(map[string]interface{})
		producers[str(m["Name"])] = aid
	}
}

// sortActions orders a stage's actions by RunOrder, then name.
func sortActions(actions []interface{}) {
	sort.SliceStable(actions, func(i, j int) bool {
		a, _ := actions[i].(map[string]interface{})
		b, _ := actions[j].(map[string]interface{})
		ra, rb := runOrder(a), runOrder(b)
		if ra != rb {
			return ra < rb
		}
		return str(a["Name"]) < str(b["Name"])
	})
}

func runOrder(a map[string]interface{}) float64 {
	if n, ok := a["RunOrder"].(float64); ok {
		return n
	}
	return 1
}

func (c *chart) actionLabel(action map[string]interface{}) string {
	typeID, _ := action["ActionTypeId"].(map[string]interface{})
	cfg, _ := action["Configuration"].(map[string]interface{})
	lines := []string{"<b>" + esc(str(action["Name"])) + "</b>", esc(str(typeID["Provider"]))}
	if repo := str(cfg["FullRepositoryId"]); repo != "" {
		if branch := str(cfg["BranchName"]); branch != "" {
			repo += "@" + branch
		}
		lines = append(lines, esc(repo))
	}
	if url := checkURL(cfg); url != "" {
		lines = append(lines, esc(url))
	}
	var where []string
	if account := roleAccount(action["RoleArn"]); account != "" {
		where = append(where, "account "+esc(account))
	}
	if region := str(action["Region"]); region != "" {
		where = append(where, "region "+esc(region))
	}
	if len(where) > 0 {
		lines = append(lines, "in "+strings.Join(where, ", "))
	}
	return strings.Join(lines, "<br/>")
}

// checkURL is the CHECK_URL a CodeBuild action passes to its project, from
// the action's EnvironmentVariables (a JSON list in a string).
func checkURL(cfg map[string]interface{}) string {
	raw, ok := cfg["EnvironmentVariables"].(string)
	if !ok {
		return ""
	}
	var vars []struct{ Name, Value string }
	if json.Unmarshal([]byte(raw), &vars) != nil {
		return ""
	}
	for _, v := range vars {
		if v.Name == "CHECK_URL" {
			return v.Value
		}
	}
	return ""
}

// roleAccount is the account of an action's role when the template names it
// literally: a role in another account. A role of the template itself is a
// reference, and gives "".
func roleAccount(v interface{}) string {
	arn, ok := v.(string)
	if !ok {
		return ""
	}
	parts := strings.Split(arn, ":")
	if len(parts) < 6 || parts[2] != "iam" {
		return ""
	}
	return parts[4]
}

// actionResources links an action to the resources its configuration names.
func (c *chart) actionResources(aid string, action map[string]interface{}) {
	cfg, _ := action["Configuration"].(map[string]interface{})
	keys := slices.Sorted(maps.Keys(cfg))
	for _, k := range keys {
		for _, id := range c.refs(cfg[k]) {
			node := c.resourceNode(id)
			c.edge(aid, "-.-", node, "")
			c.followResource(node, id)
		}
	}
	if group, ok := cfg["DeploymentGroupName"].(string); ok {
		c.namedDeploymentGroup(aid, str(cfg["ApplicationName"]), group)
	}
	if arn, ok := cfg["ConnectionArn"]; ok && len(c.refs(arn)) == 0 {
		// An existing connection, given by ARN.
		node := "existing_connection"
		c.declare(node, fmt.Sprintf(`%s(["%s"])`, node, "<b>CodeConnections connection</b><br/>(existing)"))
		c.edge(aid, "-.-", node, "")
	}
}

// namedDeploymentGroup links an action to a deployment group it names
// literally: one of another stack of the app (found by its application's and
// its own name), or else one the app does not define.
func (c *chart) namedDeploymentGroup(aid, application, group string) {
	for _, o := range c.others {
		for _, id := range slices.Sorted(maps.Keys(o.Resources)) {
			r := o.Resources[id]
			if r.Type != "AWS::CodeDeploy::DeploymentGroup" || str(r.Properties["DeploymentGroupName"]) != group {
				continue
			}
			app, appRefs := str(r.Properties["ApplicationName"]), refsIn(o, r.Properties["ApplicationName"])
			for _, ref := range appRefs {
				app = str(o.Resources[ref].Properties["ApplicationName"])
			}
			if application != "" && app != application {
				continue
			}
			for _, ref := range appRefs {
				c.edge(aid, "-.-", c.nodeIn(o, ref), "")
			}
			c.edge(aid, "-.-", c.nodeIn(o, id), "")
			return
		}
	}
	node := "named_" + safeID(group)
	c.declare(node, fmt.Sprintf(`%s(["<b>CodeDeploy deployment group</b><br/>%s<br/>(not in this app)"])`, node, esc(group)))
	c.edge(aid, "-.-", node, "")
}

// followResource draws what a used resource leads to: the repository a build
// project pushes to.
func (c *chart) followResource(node, id string) {
	r := c.t.Resources[id]
	switch r.Type {
	case "AWS::CodeBuild::Project":
		env, _ := r.Properties["Environment"].(map[string]interface{})
		vars, _ := env["EnvironmentVariables"].([]interface{})
		for _, v := range vars {
			ev, _ := v.(map[string]interface{})
			name := str(ev["Name"])
			if name != "REPOSITORY_URI" && name != "IMAGE_REPO_NAME" {
				continue
			}
			for _, rid := range c.refs(ev["Value"]) {
				if c.t.Resources[rid].Type == "AWS::ECR::Repository" {
					c.edge(node, "==>", c.resourceNode(rid), "docker push")
				}
			}
		}
	}
}

// resourceNode declares the node of a resource of the pipeline's template
// once and returns its id.
func (c *chart) resourceNode(logicalID string) string {
	return c.nodeIn(c.t, logicalID)
}

// nodeIn declares the node of a resource of template t once and returns its
// id; a resource of another stack names that stack.
func (c *chart) nodeIn(t *Template, logicalID string) string {
	node := "r_" + safeID(logicalID)
	r := t.Resources[logicalID]
	kind, shape := describe(r.Type)
	extra := details(t, logicalID, r)
	if t != c.t {
		node = "r_" + safeID(t.Name) + "_" + safeID(logicalID)
		extra = append([]string{"stack " + t.Name}, extra...)
	}
	text := "<b>" + esc(kind) + "</b><br/>" + esc(logicalID)
	for _, e := range extra {
		text += "<br/>" + esc(e)
	}
	open, close := `(["`, `"])`
	if shape == "cylinder" {
		open, close = `[("`, `")]`
	}
	c.declare(node, node+open+text+close)
	return node
}

func (c *chart) declare(node, decl string) {
	if !c.declared[node] {
		c.declared[node] = true
		c.nodes = append(c.nodes, decl)
	}
}

// details are the extra lines of a resource's label.
func details(t *Template, logicalID string, r Resource) []string {
	switch r.Type {
	case "AWS::SNS::Topic":
		n := 0
		for _, other := range t.Resources {
			if other.Type != "AWS::SNS::Subscription" || str(other.Properties["Protocol"]) != "email" {
				continue
			}
			for _, id := range refsIn(t, other.Properties["TopicArn"]) {
				if id == logicalID {
					n++
				}
			}
		}
		// Subscriptions inlined in the topic.
		if subs, ok := r.Properties["Subscription"].([]interface{}); ok {
			for _, s := range subs {
				if sm, ok := s.(map[string]interface{}); ok && str(sm["Protocol"]) == "email" {
					n++
				}
			}
		}
		if n == 1 {
			return []string{"1 email subscription"}
		}
		return []string{fmt.Sprintf("%d email subscriptions", n)}
	case "AWS::CodeDeploy::DeploymentGroup":
		var d []string
		if cfg := name(r.Properties["DeploymentConfigName"]); cfg != "" {
			d = append(d, cfg)
		}
		return append(d, rollbackOn(t, r.Properties)...)
	case "AWS::CodeBuild::Project":
		env, _ := r.Properties["Environment"].(map[string]interface{})
		var d []string
		if img := name(env["Image"]); img != "" {
			d = append(d, img)
		}
		if p, _ := env["PrivilegedMode"].(bool); p {
			d = append(d, "privileged")
		}
		return d
	}
	return nil
}

// rollbackOn says when a deployment group rolls a deployment back: on a
// failure, and on which alarms.
func rollbackOn(t *Template, props map[string]interface{}) []string {
	auto, _ := props["AutoRollbackConfiguration"].(map[string]interface{})
	if enabled, _ := auto["Enabled"].(bool); !enabled {
		return nil
	}
	events, _ := auto["Events"].([]interface{})
	var out []string
	for _, e := range events {
		switch str(e) {
		case "DEPLOYMENT_FAILURE":
			out = append(out, "rolls back on failure")
		case "DEPLOYMENT_STOP_ON_ALARM":
			alarmCfg, _ := props["AlarmConfiguration"].(map[string]interface{})
			alarms, _ := alarmCfg["Alarms"].([]interface{})
			var names []string
			for _, a := range alarms {
				am, _ := a.(map[string]interface{})
				names = append(names, alarmName(t, am["Name"]))
			}
			if len(names) > 0 {
				out = append(out, "stops and rolls back on alarm: "+strings.Join(names, ", "))
			}
		}
	}
	return out
}

// alarmName is an alarm's name, or the logical id of an alarm of the
// template that CloudFormation names.
func alarmName(t *Template, v interface{}) string {
	for _, id := range refsIn(t, v) {
		if n, ok := t.Resources[id].Properties["AlarmName"].(string); ok {
			return n
		}
		return id
	}
	return name(v)
}

// describe names a resource type and picks its node shape.
func describe(typ string) (kind, shape string) {
	switch typ {
	case "AWS::ECR::Repository":
		return "ECR repository", "cylinder"
	case "AWS::S3::Bucket":
		return "S3 bucket", "cylinder"
	case "AWS::CodeBuild::Project":
		return "CodeBuild project", "round"
	case "AWS::CodeDeploy::Application":
		return "CodeDeploy application", "round"
	case "AWS::CodeDeploy::DeploymentGroup":
		return "CodeDeploy deployment group", "round"
	case "AWS::SNS::Topic":
		return "SNS topic", "round"
	case "AWS::CodeStarConnections::Connection", "AWS::CodeConnections::Connection":
		return "CodeConnections connection", "round"
	case "":
		return "resource", "round"
	}
	return typ, "round"
}

// refs lists, in order and once each, the resources of the pipeline's
// template a value points at through Ref and Fn::GetAtt, inside any
// intrinsic function.
func (c *chart) refs(v interface{}) []string { return refsIn(c.t, v) }

// refsIn is refs for the resources of template t.
func refsIn(t *Template, v interface{}) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(interface{})
	walk = func(v interface{}) {
		switch x := v.(type) {
		case map[string]interface{}:
			if len(x) == 1 {
				if ref, ok := x["Ref"].(string); ok {
					add(t, &out, seen, ref)
					return
				}
				if ga, ok := x["Fn::GetAtt"]; ok {
					switch g := ga.(type) {
					case []interface{}:
						if len(g) > 0 {
							add(t, &out, seen, str(g[0]))
						}
					case string:
						add(t, &out, seen, strings.SplitN(g, ".", 2)[0])
					}
					return
				}
			}
			keys := slices.Sorted(maps.Keys(x))
			for _, k := range keys {
				walk(x[k])
			}
		case []interface{}:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

func add(t *Template, out *[]string, seen map[string]bool, id string) {
	if _, ok := t.Resources[id]; ok && !seen[id] {
		seen[id] = true
		*out = append(*out, id)
	}
}

// name renders a value that should be a name: a string as is, Ref and
// Fn::GetAtt as ${Id} and ${Id.Attr}, Fn::Join and Fn::Sub spelled out, and
// anything else as "…".
func name(v interface{}) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64, bool:
		return fmt.Sprint(x)
	case map[string]interface{}:
		if ref, ok := x["Ref"].(string); ok {
			return "${" + ref + "}"
		}
		if ga, ok := x["Fn::GetAtt"].([]interface{}); ok && len(ga) == 2 {
			return "${" + str(ga[0]) + "." + str(ga[1]) + "}"
		}
		if j, ok := x["Fn::Join"].([]interface{}); ok && len(j) == 2 {
			sep, _ := j[0].(string)
			parts, _ := j[1].([]interface{})
			var s []string
			for _, p := range parts {
				s = append(s, name(p))
			}
			return strings.Join(s, sep)
		}
		if sub, ok := x["Fn::Sub"]; ok {
			if s, ok := sub.(string); ok {
				return s
			}
			if l, ok := sub.([]interface{}); ok && len(l) > 0 {
				return name(l[0])
			}
		}
	}
	return "…"
}

// str is name for labels: a token-valued name is shown spelled out.
func str(v interface{}) string { return name(v) }

// label is "<b>kind</b><br/>id".
func label(kind, id string) string {
	return "<b>" + esc(kind) + "</b><br/>" + esc(id)
}

// esc makes text safe inside a quoted Mermaid label.
func esc(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "\n", " ").Replace(s)
}

func quoteEdge(s string) string {
	return `"` + esc(s) + `"`
}

// safeID keeps the characters Mermaid allows in node ids.
func safeID(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	return b.String()
}
