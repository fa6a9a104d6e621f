package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

//go:embed manifest.schema.json
var raw []byte

// ID is the schema's $id.
const ID = "https://github.com/mkbulk/mkbulk/schema/manifest.schema.json"

// JSON returns the manifest JSON Schema (draft 2020-12), one document per
// call, safe to modify.
func JSON() []byte { return bytes.Clone(raw) }

// Error is one schema violation of a document, already phrased for people.
type Error struct {
	// Pointer is the JSON pointer (RFC 6901) of the value the error is
	// about: the unknown field itself for "additionalProperties", the
	// object missing a field for "required", else the offending value.
	Pointer string
	// Keyword is the failing JSON Schema keyword ("additionalProperties",
	// "required", "type", "enum", "const", "pattern", "minItems", ...).
	Keyword string
	// Message says what is wrong without a position:
	// `unknown field "feilds" in spec`, `spec.format: must be one of CSV, TSV, SSV`.
	Message string
	// Field is the unknown field (additionalProperties) or the missing one
	// (required).
	Field string
	// Allowed lists what would have been accepted, for did-you-mean hints:
	// the known field names (additionalProperties), the enum values (enum,
	// const).
	Allowed []string
}

// compiled is the schema compiled once; tree is the same schema decoded as
// plain JSON values so errors can be explained from it.
var compiled = sync.OnceValues(func() (*jsonschema.Schema, any) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(ID, bytes.NewReader(raw)); err != nil {
		panic("schema: embedded schema does not load: " + err.Error())
	}
	s, err := c.Compile(ID)
	if err != nil {
		panic("schema: embedded schema does not compile: " + err.Error())
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		panic("schema: embedded schema is not JSON: " + err.Error())
	}
	return s, tree
})

// Validate checks one manifest document, given as JSON-compatible values
// (map[string]any, []any, string, bool, nil, json.Number, float64 or int),
// and returns every violation, one per problem, in a stable order.
func Validate(doc any) []Error {
	s, tree := compiled()
	err := s.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Error{{Keyword: "", Message: "document: " + err.Error()}}
	}
	var out []Error
	seen := map[string]bool{}
	for _, leaf := range leaves(ve, nil) {
		for _, e := range explain(leaf, doc, tree) {
			key := e.Pointer + "\x00" + e.Message
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Pointer != out[j].Pointer {
			return out[i].Pointer < out[j].Pointer
		}
		return out[i].Message < out[j].Message
	})
	return out
}

// leaves collects the innermost errors: wrappers such as "allOf failed" or
// "if-then failed" say nothing a person can act on.
func leaves(ve *jsonschema.ValidationError, acc []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return append(acc, ve)
	}
	for _, c := range ve.Causes {
		acc = leaves(c, acc)
	}
	return acc
}

// explain turns one library error into mkbulk errors. The schema location
// (after '#') says which keyword failed and where its siblings are, which is
// more reliable than parsing the library's message.
func explain(ve *jsonschema.ValidationError, doc, tree any) []Error {
	loc := ve.AbsoluteKeywordLocation
	if i := strings.IndexByte(loc, '#'); i >= 0 {
		loc = loc[i+1:]
	}
	parentLoc, keyword := splitPointer(loc)
	schemaNode, _ := lookup(tree, parentLoc).(map[string]any)
	value, _ := lookupOK(doc, ve.InstanceLocation)
	path := Path(doc, ve.InstanceLocation)
	what := describeDef(parentLoc)

	switch keyword {
	case "additionalProperties":
		obj, _ := value.(map[string]any)
		props, _ := schemaNode["properties"].(map[string]any)
		allowed := sortedKeys(props)
		var out []Error
		for _, name := range sortedKeys(obj) {
			if _, ok := props[name]; ok {
				continue
			}
			msg := fmt.Sprintf("unknown field %q in %s", name, path)
			if ve.InstanceLocation == "" {
				msg = fmt.Sprintf("unknown top-level field %q", name)
			}
			out = append(out, Error{
				Pointer: ve.InstanceLocation + "/" + escapeToken(name),
				Keyword: keyword, Message: msg, Field: name, Allowed: allowed,
			})
		}
		return out
	case "required":
		obj, _ := value.(map[string]any)
		req, _ := schemaNode["required"].([]any)
		var out []Error
		for _, r := range req {
			name, _ := r.(string)
			if _, ok := obj[name]; ok {
				continue
			}
			msg := fmt.Sprintf("missing required field %q in %s", name, path)
			if ve.InstanceLocation == "" {
				msg = fmt.Sprintf("missing required field %q", name)
			}
			out = append(out, Error{Pointer: ve.InstanceLocation, Keyword: keyword, Message: msg, Field: name})
		}
		return out
	case "type":
		want := what
		if want == "" {
			want = typeNames(schemaNode["type"])
		}
		return []Error{{Pointer: ve.InstanceLocation, Keyword: keyword,
			Message: fmt.Sprintf("%s: must be %s, got %s", path, want, kindOf(value))}}
	case "enum":
		vals, _ := schemaNode["enum"].([]any)
		allowed := make([]string, len(vals))
		for i, v := range vals {
			allowed[i] = fmt.Sprint(v)
		}
		return []Error{{Pointer: ve.InstanceLocation, Keyword: keyword, Allowed: allowed,
			Message: fmt.Sprintf("%s: must be one of %s", path, strings.Join(allowed, ", "))}}
	case "const":
		c := fmt.Sprint(schemaNode["const"])
		return []Error{{Pointer: ve.InstanceLocation, Keyword: keyword, Allowed: []string{c},
			Message: fmt.Sprintf("%s: must be %q", path, c)}}
	case "pattern":
		if what == "" {
			what = fmt.Sprintf("text matching %s", schemaNode["pattern"])
		}
		return []Error{{Pointer: ve.InstanceLocation, Keyword: keyword,
			Message: fmt.Sprintf("%s: must be %s, got %q", path, what, fmt.Sprint(value))}}
	case "minLength":
		msg := fmt.Sprintf("%s: must not be empty", path)
		if what != "" {
			msg = fmt.Sprintf("%s: must be %s, got %q", path, what, fmt.Sprint(value))
		}
		return []Error{{Pointer: ve.InstanceLocation, Keyword: keyword, Message: msg}}
	case "minItems":
		n := number(schemaNode["minItems"])
		msg := fmt.Sprintf("%s: must have at least %d items", path, n)
		if n == 1 {
			msg = fmt.Sprintf("%s: must not be empty", path)
		}
		return []Error{{Pointer: ve.InstanceLocation, Keyword: keyword, Message: msg}}
	case "maxItems":
		arr, _ := value.([]any)
		return []Error{{Pointer: ve.InstanceLocation, Keyword: keyword,
			Message: fmt.Sprintf("%s: at most %d items are allowed, got %d", path, number(schemaNode["maxItems"]), len(arr))}}
	case "minimum":
		return []Error{{Pointer: ve.InstanceLocation, Keyword: keyword,
			Message: fmt.Sprintf("%s: must be at least %d, got %v", path, number(schemaNode["minimum"]), value)}}
	}
	return []Error{{Pointer: ve.InstanceLocation, Keyword: keyword, Message: fmt.Sprintf("%s: %s", path, ve.Message)}}
}

// describeDef names what a shared definition expects, so a wrong window or
// date says "a duration like 31d" rather than quoting a regular expression.
func describeDef(schemaLoc string) string {
	switch schemaLoc {
	case "/$defs/name":
		return `a name of lowercase letters, digits and "-" that starts and ends with a letter or digit (at most 63 characters)`
	case "/$defs/duration":
		return "a duration like 31d, 7d or 12h"
	case "/$defs/dateTime":
		return "an RFC 3339 date-time like 2026-01-01T00:00:00Z"
	case "/$defs/id":
		return "a positive integer id"
	}
	return ""
}

func typeNames(t any) string {
	var names []string
	switch t := t.(type) {
	case string:
		names = []string{t}
	case []any:
		for _, x := range t {
			names = append(names, fmt.Sprint(x))
		}
	}
	for i, n := range names {
		names[i] = article(n)
	}
	return strings.Join(names, " or ")
}

// article names a JSON type the way YAML authors think of it.
func article(jsonType string) string {
	switch jsonType {
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "string":
		return "a string"
	case "integer":
		return "an integer"
	case "number":
		return "a number"
	case "boolean":
		return "true or false"
	case "null":
		return "empty"
	}
	return jsonType
}

// kindOf names the type of a decoded value.
func kindOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "an empty value"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "an integer"
		}
		return "a number"
	case int, int64:
		return "an integer"
	case float64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

func number(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Path renders a JSON pointer into doc as the dotted path people read in
// messages: "/spec/fields/2" → "spec.fields[2]"; the root is "document".
func Path(doc any, pointer string) string {
	if pointer == "" {
		return "document"
	}
	var b strings.Builder
	cur := doc
	for _, tok := range splitTokens(pointer) {
		switch c := cur.(type) {
		case []any:
			b.WriteString("[" + tok + "]")
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(c) {
				cur = c[i]
			} else {
				cur = nil
			}
		case map[string]any:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(tok)
			cur = c[tok]
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(tok)
			cur = nil
		}
	}
	return b.String()
}

// lookup returns the value at pointer in v, or nil.
func lookup(v any, pointer string) any {
	x, _ := lookupOK(v, pointer)
	return x
}

func lookupOK(v any, pointer string) (any, bool) {
	cur := v
	for _, tok := range splitTokens(pointer) {
		switch c := cur.(type) {
		case map[string]any:
			x, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = x
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// splitTokens splits and unescapes a JSON pointer ("" is the root).
func splitTokens(pointer string) []string {
	if pointer == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for i, p := range parts {
		parts[i] = unescapeToken(p)
	}
	return parts
}

// splitPointer returns the parent pointer and the last (unescaped) token.
func splitPointer(pointer string) (parent, last string) {
	i := strings.LastIndexByte(pointer, '/')
	if i < 0 {
		return "", unescapeToken(pointer)
	}
	return pointer[:i], unescapeToken(pointer[i+1:])
}

func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func unescapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}
