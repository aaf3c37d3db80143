package diffreport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/shipline/shipline/internal/modroot"
)

// EngineDir is where the pinned diff engine lives, relative to the module root.
const EngineDir = "tools/diffcomment/cfndiff"

// CompareOptions say where the diff engine is.
type CompareOptions struct {
	// Engine is the folder of diff.js and its installed node_modules.
	// Default: EngineDir under the nearest parent folder holding go.mod.
	Engine string
	// Node is the node binary. Default: "node" on PATH.
	Node string
}

// engineOutput is what diff.js prints.
type engineOutput struct {
	Resources []struct {
		LogicalID string `json:"logicalId"`
		Type      string `json:"type"`
		Path      string `json:"path"`
		Impact    string `json:"impact"`
	} `json:"resources"`
	IAMStatements   [][]string `json:"iamStatements"`
	ManagedPolicies [][]string `json:"managedPolicies"`
	SecurityGroups  [][]string `json:"securityGroups"`
	Sections        []string   `json:"sections"`
	Text            string     `json:"text"`
}

// Compare diffs the deployed template of stack (a file; empty or missing when
// the stack is not deployed yet) against the synthesized one.
func Compare(stack, deployedFile, synthesizedFile string, opt CompareOptions) (*Report, error) {
	deployed, err := readTemplate(deployedFile, true)
	if err != nil {
		return nil, err
	}
	synthesized, err := readTemplate(synthesizedFile, false)
	if err != nil {
		return nil, err
	}
	out, err := runEngine(deployedFile, synthesizedFile, opt)
	if err != nil {
		return nil, err
	}
	rep := fromEngine(stack, out)
	rep.NotDeployed = len(deployed) == 0
	rep.Deletable = deletable(deployed, synthesized)
	return rep, nil
}

// CompareStack is Compare for a stack of ReadAssembly: the report names the
// environment of each change and the pipeline stages that change.
func CompareStack(s Stack, deployedFile string, opt CompareOptions) (*Report, error) {
	rep, err := Compare(s.Name, deployedFile, s.Template, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	rep.Account, rep.Environment = s.Account, s.Environment
	for i, c := range rep.Changes {
		rep.Changes[i].Environment = s.Environment
		if s.Environment == "" {
			rep.Changes[i].Environment = environmentOfPath(c.Path, s.Environments)
		}
	}
	if len(s.Environments) > 0 {
		rep.Environments = s.Environments
		deployed, _ := readTemplate(deployedFile, true)
		synthesized, _ := readTemplate(s.Template, false)
		rep.Stages = stageChanges(deployed, synthesized, s.Environments)
	}
	return rep, nil
}

// readTemplate reads a template file as JSON. `aws cloudformation
// get-template --query TemplateBody` may print the body as a JSON string,
// which holds the template in turn.
func readTemplate(file string, mayBeAbsent bool) (map[string]any, error) {
	data, err := os.ReadFile(file)
	if mayBeAbsent && (errors.Is(err, os.ErrNotExist) || err == nil && len(bytes.TrimSpace(data)) == 0) {
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: not a JSON template: %w", file, err)
	}
	if s, ok := v.(string); ok {
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("%s: the template body is not JSON (a YAML template cannot be compared): %w", file, err)
		}
	}
	t, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not a template (want a JSON object)", file)
	}
	return t, nil
}

func runEngine(deployedFile, synthesizedFile string, opt CompareOptions) (*engineOutput, error) {
	dir := opt.Engine
	if dir == "" {
		root, err := modroot.Find()
		if err != nil {
			return nil, err
		}
		dir = filepath.Join(root, EngineDir)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-cdk", "cloudformation-diff")); err != nil {
		return nil, fmt.Errorf("the diff engine is not installed in %s: run `npm ci` there (make test does)", dir)
	}
	node := opt.Node
	if node == "" {
		node = "node"
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(node, filepath.Join(dir, "diff.js"), deployedFile, synthesizedFile)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("diff engine: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var out engineOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("diff engine printed no JSON: %w", err)
	}
	return &out, nil
}

func fromEngine(stack string, out *engineOutput) *Report {
	rep := &Report{Stack: stack, Sections: out.Sections, Text: out.Text}
	for _, r := range out.Resources {
		c := Change{Type: r.Type, LogicalID: r.LogicalID, Path: shortPath(r.Path)}
		switch r.Impact {
		case "WILL_CREATE":
			c.Op = OpAdd
		case "WILL_IMPORT":
			c.Op = OpImport
		case "WILL_DESTROY":
			c.Op, c.Impact = OpRemove, ImpactDestroy
		case "WILL_ORPHAN":
			c.Op, c.Impact = OpRemove, ImpactOrphan
		case "WILL_REPLACE":
			c.Op, c.Impact = OpUpdate, ImpactReplace
		case "MAY_REPLACE":
			c.Op, c.Impact = OpUpdate, ImpactMayReplace
		case "NO_CHANGE":
			continue
		default:
			c.Op = OpUpdate
		}
		rep.Changes = append(rep.Changes, c)
	}
	rep.IAMStatements = tableRows(out.IAMStatements)
	rep.ManagedPolicies = tableRows(out.ManagedPolicies)
	rep.SecurityGroupRows = tableRows(out.SecurityGroups)
	return rep
}

// tableRows turns a table, header row first, into rows keyed by column.
func tableRows(table [][]string) []TableRow {
	if len(table) < 2 {
		return nil
	}
	header := table[0]
	rows := make([]TableRow, 0, len(table)-1)
	for _, cells := range table[1:] {
		row := TableRow{Cells: map[string]string{}}
		for i, cell := range cells {
			if i == 0 {
				row.Sign = cell
			} else if i < len(header) && cell != "" {
				row.Cells[header[i]] = cell
			}
		}
		rows = append(rows, row)
	}
	return rows
}
