package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/mkbulk/mkbulk/internal/stress"
)

// planManifests is the size of the planning figure's project.
const planManifests = 1000

// planning plans a project of 1,000 export manifests (a quarter each of
// leads, activities, program members and a custom object, all one window)
// on a fresh state and reports the wall time of `mkbulk plan` against the
// 2 s target, and the describe calls it made (from the sandbox's
// callsByOperation) against one per object type.
func (b *bench) planning() ([]figure, error) {
	sb, err := stress.StartSandbox(b.ctx, b.bin, "-leads=100000")
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	p, err := b.project("planning", sb)
	if err != nil {
		return nil, err
	}
	var all strings.Builder
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range planManifests {
		start := base.Add(time.Duration(i) * 7 * time.Hour)
		end := start.AddDate(0, 0, 20)
		rng := fmt.Sprintf("      startAt: %s\n      endAt: %s\n", start.Format(time.RFC3339), end.Format(time.RFC3339))
		var spec string
		switch i % 4 {
		case 0:
			spec = "  object: leads\n  fields: [id, email, firstName, lastName, createdAt]\n  filter:\n    createdAt:\n" + rng
		case 1:
			spec = "  object: activities\n  filter:\n    createdAt:\n" + rng + "    activityTypeIds: [1, 2, 10, 11]\n"
		case 2:
			spec = fmt.Sprintf("  object: programMembers\n  fields: [leadId, email, statusName]\n  filter:\n    programId: %d\n", 1001+i%2)
		case 3:
			spec = fmt.Sprintf("  object: customObject\n  apiName: car_c\n  fields: [vin, make, model]\n  filter:\n    staticListId: %d\n", 1+i%5)
		}
		fmt.Fprintf(&all, "---\napiVersion: mkbulk/v1\nkind: Export\nmetadata:\n  name: export-%04d\nspec:\n%s  output: out/export-%04d.csv\n", i, spec, i)
		if i%100 == 99 { // ten files of a hundred documents
			if err := writeFile(p.Dir, fmt.Sprintf("exports-%02d.yaml", i/100), all.String()); err != nil {
				return nil, err
			}
			all.Reset()
		}
	}
	before, err := sb.Stats()
	if err != nil {
		return nil, err
	}
	var times []time.Duration
	var planOut string
	for range 3 {
		r := p.Run(b.ctx, "plan", "-detailed-exitcode")
		if r.Code != 2 {
			return nil, fmt.Errorf("mkbulk plan exited %d, want 2: %s", r.Code, lastLines(r.Stderr, 5))
		}
		times = append(times, r.Wall)
		planOut = r.Stdout
	}
	after, err := sb.Stats()
	if err != nil {
		return nil, err
	}
	describe, other := 0, 0
	for op, n := range after.CallsByOperation {
		d := int(n - before.CallsByOperation[op])
		if strings.Contains(op, "describe") || strings.Contains(op, "/activities/types") {
			describe += d
		} else if !strings.Contains(op, "/identity/") {
			other += d
		}
	}
	describePerPlan := float64(describe) / 3
	wall := median(times)
	summary := ""
	for _, l := range strings.Split(planOut, "\n") {
		if strings.HasPrefix(l, "Plan:") {
			summary = l
		}
	}
	const objectTypes = 4
	return []figure{
		{Name: "planning", Ratio: wall.Seconds() / 2, Target: "< 1.00× 2 s", Met: wall < 2*time.Second,
			Detail: fmt.Sprintf("%d manifests in 10 files planned in %.2fs (median of 3: %s); %q", planManifests, wall.Seconds(), fmtDurs(times), summary)},
		{Name: "planning-describe", Ratio: describePerPlan / objectTypes, Target: "= 1.00× one per object type", Met: describePerPlan == objectTypes,
			Detail: fmt.Sprintf("%.0f describe calls per plan for %d object types (leads, activity types, program members, car_c); %.0f other calls per plan (job lists)",
				describePerPlan, objectTypes, float64(other)/3)},
	}, nil
}
