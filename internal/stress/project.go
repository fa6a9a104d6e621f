package stress

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// LeadFields are the lead fields the stress exports ask for: every field
// the sandbox describes, so files are as wide as a real full export.
var LeadFields = []string{
	"id", "email", "firstName", "lastName", "company", "title", "phone", "city", "state",
	"country", "postalCode", "leadScore", "leadSource", "leadStatus", "unsubscribed",
	"emailInvalid", "createdAt", "updatedAt", "cookies", "leadPartitionId", "industryTier", "npsScore",
}

// Mixed is the project of the crash, fault and quota suites: every kind of
// step that can be interrupted.
//
//   - export.leads-q1: leads over three months in 31-day windows, merged
//     into one file (create/enqueue/poll/download per window, then a merge);
//   - export.form-fills: two months of activities, one file per window;
//   - export.members: one program member job, no date filter;
//   - export.cars: a custom object export (TSV);
//   - import.new-leads: a lead import of ImportRows generated rows, split
//     into several chunks when it is over 10 MB.
type Mixed struct {
	// ImportRows is the size of data/new-leads.csv (about 85 bytes a row).
	ImportRows int
	// Tag makes the generated emails unique to one run, so imports create
	// leads that no export of the run selects.
	Tag string
}

// Write writes the manifests and the import source into dir.
func (m Mixed) Write(dir string) error {
	manifests := map[string]string{
		"leads.yaml": `apiVersion: mkbulk/v1
kind: Export
metadata:
  name: leads-q1
spec:
  object: leads
  fields: [` + strings.Join(LeadFields, ", ") + `]
  columnHeaderNames:
    leadScore: Score
  filter:
    createdAt:
      startAt: 2025-01-01T00:00:00Z
      endAt: 2025-03-31T23:59:59Z
  window: 31d
  output: out/leads-q1.csv
`,
		"activities.yaml": `apiVersion: mkbulk/v1
kind: Export
metadata:
  name: form-fills
spec:
  object: activities
  filter:
    createdAt:
      startAt: 2025-06-01T00:00:00Z
      endAt: 2025-07-31T23:59:59Z
    activityTypeIds: [2]
  window: 31d
  output: out/form-fills/{window}.csv
`,
		"members.yaml": `apiVersion: mkbulk/v1
kind: Export
metadata:
  name: members
spec:
  object: programMembers
  fields: [leadId, firstName, lastName, email, membershipDate, program, statusName, reachedSuccess]
  filter:
    programId: 1001
  output: out/members.csv
---
apiVersion: mkbulk/v1
kind: Export
metadata:
  name: cars
spec:
  object: customObject
  apiName: car_c
  fields: [vin, make, model, color, year, leadID]
  format: TSV
  filter:
    staticListId: 4
  output: out/cars.tsv
`,
		"import.yaml": `apiVersion: mkbulk/v1
kind: Import
metadata:
  name: new-leads
spec:
  object: leads
  source: data/new-leads.csv
  lookupField: email
  maxFailedRows: 0
`,
	}
	for name, body := range manifests {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return WriteLeadCSV(filepath.Join(dir, "data", "new-leads.csv"), m.ImportRows, m.Tag)
}

// WriteLeadCSV writes rows new leads (valid for the sandbox's describe) to
// path: email, names, company, score, city.
func WriteLeadCSV(path string, rows int, tag string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "email,firstName,lastName,company,leadScore,city")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(w, "stress-%s-%08d@import.example.com,Firstname%d,Lastname%d,Company %d Holdings,%d,Springfield\n",
			tag, i, i, i, i%1000, i%100)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
