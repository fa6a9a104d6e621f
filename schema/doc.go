// Package schema embeds the JSON Schema (draft 2020-12) of mkbulk manifests
// and validates decoded YAML documents against it. `mkbulk schema` prints
// the schema so editors (yaml-language-server) can use it.
package schema
