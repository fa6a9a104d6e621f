package schema_test

import (
	"encoding/json"
	"fmt"

	"github.com/mkbulk/mkbulk/schema"
)

func ExampleValidate() {
	var doc any
	json.Unmarshal([]byte(`{"apiVersion": "mkbulk/v1", "kind": "Import",
		"metadata": {"name": "new-leads"},
		"spec": {"object": "leads", "source": "data/new-leads.csv", "format": "csv"}}`), &doc)
	for _, e := range schema.Validate(doc) {
		fmt.Printf("%s: %s %v\n", e.Pointer, e.Message, e.Allowed)
	}
	// Output:
	// /spec/format: spec.format: must be one of CSV, TSV, SSV [CSV TSV SSV]
}
