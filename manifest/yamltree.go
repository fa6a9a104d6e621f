package manifest

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxTreeNodes bounds how many values one document may expand to, so an
// alias bomb ("billion laughs") is reported instead of eating memory.
const maxTreeNodes = 100_000

// maxTreeDepth bounds nesting (through aliases too).
const maxTreeDepth = 64

// docTree is one YAML document decoded to JSON-compatible values (what the
// JSON Schema validator takes), with the position of every value and key
// indexed by JSON pointer.
type docTree struct {
	file  string
	value any
	nodes map[string]nodeInfo
	// byPath maps a dotted path back to its JSON pointer.
	byPath map[string]string
	diags  Diagnostics
	count  int
}

// nodeInfo is where one value sits in the file.
type nodeInfo struct {
	path string // dotted path, "spec.fields[2]"
	key  Pos    // position of the mapping key; zero for the root and list items
	val  Pos    // position of the value itself
	// block is true for block-style mappings and lists, whose own position
	// is the first nested key — a poor place to point at, so callers prefer
	// the key.
	block bool
}

// newDocTree converts a yaml.v3 document node.
func newDocTree(file string, doc *yaml.Node) *docTree {
	t := &docTree{file: file, nodes: map[string]nodeInfo{}, byPath: map[string]string{}}
	root := doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	t.value = t.convert(root, "", "", Pos{}, 0)
	return t
}

func (t *docTree) pos(n *yaml.Node) Pos {
	return Pos{File: t.file, Line: max(n.Line, 1), Col: max(n.Column, 1)}
}

func (t *docTree) convert(n *yaml.Node, pointer, path string, keyPos Pos, depth int) any {
	t.count++
	if t.count == maxTreeNodes+1 {
		t.diags.Errorf(t.pos(n), "", "document is too large: more than %d values (aliases included)", maxTreeNodes)
	}
	if t.count > maxTreeNodes {
		return nil
	}
	if depth > maxTreeDepth {
		t.diags.Errorf(t.pos(n), "", "document nests more than %d levels deep", maxTreeDepth)
		return nil
	}
	info := nodeInfo{path: path, key: keyPos, val: t.pos(n)}
	t.byPath[path] = pointer
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			t.nodes[pointer] = info
			return nil
		}
		// Point at the alias where it is used, not at its anchor.
		v := t.convert(n.Alias, pointer, path, keyPos, depth+1)
		t.nodes[pointer] = info
		return v
	}
	info.block = (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle == 0
	t.nodes[pointer] = info
	switch n.Kind {
	case yaml.ScalarNode:
		return scalarValue(n)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			idx := strconv.Itoa(i)
			out = append(out, t.convert(c, pointer+"/"+idx, path+"["+idx+"]", Pos{}, depth+1))
		}
		return out
	case yaml.MappingNode:
		out := map[string]any{}
		first := map[string]Pos{}
		t.mapping(n, pointer, path, depth, out, first, false)
		return out
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return t.convert(n.Content[0], pointer, path, keyPos, depth+1)
		}
	}
	return nil
}

// mapping adds n's pairs to out. Merge keys ("<<: *base") are honoured the
// way YAML 1.1 defines them: explicit keys win over merged ones.
func (t *docTree) mapping(n *yaml.Node, pointer, path string, depth int, out map[string]any, first map[string]Pos, merged bool) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			t.merge(v, pointer, path, depth, out, first)
			continue
		}
		kp := t.pos(k)
		if k.Kind != yaml.ScalarNode {
			t.diags.Errorf(kp, "write keys as plain words, e.g. fields:", "%s: keys must be plain text, not a list or mapping", displayPath(path))
			continue
		}
		name := k.Value
		if prev, dup := first[name]; dup {
			if merged {
				continue // an explicit key already set it
			}
			if prev.File != "" {
				t.diags.Errorf(kp, "remove one of them", "duplicate key %q in %s (first at line %d)", name, displayPath(path), prev.Line)
				continue
			}
		}
		if merged {
			first[name] = Pos{}
		} else {
			first[name] = kp
		}
		childPath := name
		if path != "" {
			childPath = path + "." + name
		}
		out[name] = t.convert(v, pointer+"/"+escapeToken(name), childPath, kp, depth+1)
	}
}

func (t *docTree) merge(v *yaml.Node, pointer, path string, depth int, out map[string]any, first map[string]Pos) {
	for v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		t.mapping(v, pointer, path, depth+1, out, first, true)
	case yaml.SequenceNode:
		for _, c := range v.Content {
			t.merge(c, pointer, path, depth+1, out, first)
		}
	default:
		t.diags.Errorf(t.pos(v), "", "%s: << must merge a mapping", displayPath(path))
	}
}

// scalarValue types a scalar the way YAML 1.2 resolves it, in the forms the
// JSON Schema validator understands. Dates stay strings: the loader parses
// them itself so it can report bad ones precisely.
func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return json.Number(strconv.FormatInt(i, 10))
		}
		if b, ok := new(big.Int).SetString(strings.ReplaceAll(n.Value, "_", ""), 0); ok {
			return json.Number(b.String())
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	}
	return n.Value
}

// keyPos is the best position for a problem with the value at pointer as a
// whole (a missing or unknown field): the key that introduces it, else the
// value, else the nearest parent.
func (t *docTree) keyPos(pointer string) Pos {
	for p := pointer; ; p = parentPointer(p) {
		if info, ok := t.nodes[p]; ok {
			if info.key.File != "" {
				return info.key
			}
			return info.val
		}
		if p == "" {
			return Pos{File: t.file, Line: 1, Col: 1}
		}
	}
}

// valPos is the best position for a problem with the value at pointer: the
// value itself for scalars and flow collections, the key for block ones.
func (t *docTree) valPos(pointer string) Pos {
	if info, ok := t.nodes[pointer]; ok && info.block && info.key.File != "" {
		return info.key
	}
	for p := pointer; ; p = parentPointer(p) {
		if info, ok := t.nodes[p]; ok {
			return info.val
		}
		if p == "" {
			return Pos{File: t.file, Line: 1, Col: 1}
		}
	}
}

// path is the dotted path of pointer ("" when unknown).
func (t *docTree) path(pointer string) string {
	return t.nodes[pointer].path
}

// recordPositions stores every value's position in src under its dotted
// path (see Source.SetPos).
func (t *docTree) recordPositions(src *Source) {
	for ptr, info := range t.nodes {
		if info.path == "" {
			continue
		}
		src.SetPos(info.path, t.valPos(ptr))
	}
}

func parentPointer(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// displayPath names a dotted path in messages; the root is "document".
func displayPath(path string) string {
	if path == "" {
		return "document"
	}
	return path
}
