package manifest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mkbulk/mkbulk/schema"
)

// Load reads every *.yaml and *.yml file directly in dir (sorted by name;
// hidden files and directories are skipped, so .mkbulk/ never is read),
// each possibly holding several documents separated by "---", and returns
// the typed Export and Import specs with defaults applied.
//
// Every problem found is returned, sorted by position; Load never stops at
// the first. The Set is complete and safe to plan only when the
// Diagnostics hold no error; with errors it holds the documents that could
// be typed, for tools that want to show as much as possible.
func Load(dir string) (*Set, Diagnostics) {
	var diags Diagnostics
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	set := &Set{Dir: abs, Files: map[string]string{}}
	files, err := ManifestFiles(abs)
	if err != nil {
		diags.Errorf(Pos{File: dir}, "", "cannot read the project directory: %v", err)
		return set, diags
	}
	l := &loader{set: set, real: realDir(abs)}
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(abs, name))
		if err != nil {
			l.diags.Errorf(Pos{File: name}, "", "cannot read manifest: %v", err)
			continue
		}
		sum := sha256.Sum256(data)
		set.Files[name] = hex.EncodeToString(sum[:])
		l.loadFile(name, data)
	}
	l.checkSet()
	diags = append(diags, l.diags...)
	diags.Sort()
	return set, diags
}

// ManifestFiles lists the manifest files directly in dir, sorted, as
// slash-separated names relative to dir: *.yaml and *.yml, not hidden, not
// directories.
func ManifestFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !IsManifestName(name) {
			continue
		}
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// IsManifestName reports whether a file name has a manifest extension.
func IsManifestName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// loader carries one Load's results.
type loader struct {
	set   *Set
	real  string // the project directory with symlinks resolved
	diags Diagnostics
}

// loadFile decodes every document of one file. A syntax error ends the
// file (the YAML parser cannot go on) but documents before it count.
func (l *loader) loadFile(name string, data []byte) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for doc := 0; ; doc++ {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			l.diags = append(l.diags, syntaxError(name, data, err))
			return
		}
		if isEmptyDocument(&node) {
			continue
		}
		l.loadDocument(name, doc, &node)
	}
}

// isEmptyDocument is true for a document holding nothing but comments or a
// bare "---", which Kubernetes tooling also skips.
func isEmptyDocument(n *yaml.Node) bool {
	if n.Kind == 0 {
		return true
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return true
		}
		c := n.Content[0]
		return c.Kind == yaml.ScalarNode && c.ShortTag() == "!!null" && c.Value == ""
	}
	return false
}

// loadDocument validates one document against the schema, types it and
// applies the rules the schema cannot express.
func (l *loader) loadDocument(file string, index int, node *yaml.Node) {
	tree := newDocTree(file, node)
	d := &document{tree: tree, reported: map[string]bool{}}
	d.diags = append(d.diags, tree.diags...)
	if !tree.tooLarge() {
		d.schemaErrors(schema.Validate(tree.value))
	}

	root, _ := tree.value.(map[string]any)
	src := Source{File: file, Doc: index}
	tree.recordPositions(&src)
	src.Pos = tree.valPos("/metadata/name")
	if _, ok := tree.nodes["/metadata/name"]; !ok {
		src.Pos = tree.keyPos("/metadata")
	}
	d.src = &src

	switch kind, _ := root["kind"].(string); kind {
	case KindExport:
		e := d.decodeExport(root)
		d.checkExport(e, l)
		l.set.Exports = append(l.set.Exports, e)
	case KindImport:
		im := d.decodeImport(root)
		d.checkImport(im, l)
		l.set.Imports = append(l.set.Imports, im)
	}
	l.diags = append(l.diags, d.diags...)
}

func (t *docTree) tooLarge() bool { return t.count > maxTreeNodes }

// document is the state of checking one document: its tree, its source
// and the paths the schema already complained about, so a rule does not
// report the same problem twice.
type document struct {
	tree     *docTree
	src      *Source
	diags    Diagnostics
	reported map[string]bool
}

// schemaErrors turns schema violations into positioned diagnostics with
// hints. A misspelt required field is reported once, as the unknown key
// with its did-you-mean, not again as "missing".
func (d *document) schemaErrors(errs []schema.Error) {
	misspelt := map[string]bool{} // parent pointer + "\x00" + field
	for _, e := range errs {
		if e.Keyword == "additionalProperties" {
			if s := Suggest(e.Field, e.Allowed); s != "" {
				misspelt[parentPointer(e.Pointer)+"\x00"+s] = true
			}
		}
	}
	for _, e := range errs {
		var pos Pos
		hint := ""
		switch e.Keyword {
		case "additionalProperties":
			pos = d.tree.keyPos(e.Pointer)
			if hint = DidYouMean(e.Field, e.Allowed); hint == "" {
				hint = allowedHint(e.Allowed)
			}
		case "required":
			if misspelt[e.Pointer+"\x00"+e.Field] {
				continue
			}
			pos = d.tree.keyPos(e.Pointer)
		case "enum", "const":
			pos = d.tree.valPos(e.Pointer)
			if s, ok := d.value(e.Pointer).(string); ok {
				hint = DidYouMean(s, e.Allowed)
			}
		case "type":
			pos = d.tree.valPos(e.Pointer)
			hint = typeHint(e.Message, d.value(e.Pointer))
		default:
			pos = d.tree.valPos(e.Pointer)
		}
		d.diags.Errorf(pos, hint, "%s", e.Message)
		d.reported[d.tree.path(e.Pointer)] = true
		if e.Keyword == "required" {
			p := d.tree.path(e.Pointer)
			if p != "" {
				p += "."
			}
			d.reported[p+e.Field] = true
		}
	}
}

// value returns the decoded value at a JSON pointer.
func (d *document) value(pointer string) any {
	cur := d.tree.value
	if pointer == "" {
		return cur
	}
	for _, tok := range strings.Split(pointer[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			i := 0
			for _, r := range tok {
				i = i*10 + int(r-'0')
			}
			if i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// typeHint suggests the fix for the commonest type mistakes.
func typeHint(msg string, v any) string {
	switch {
	case strings.Contains(msg, "integer") && isDigits(v):
		return "write the number without quotes"
	case strings.Contains(msg, "must be a list"):
		if _, ok := v.(string); ok {
			return "write a list as [a, b] or one \"- item\" per line"
		}
	case strings.Contains(msg, "got an empty value"):
		return "give it a value, or remove the key"
	}
	return ""
}

func isDigits(v any) bool {
	s, ok := v.(string)
	if !ok || s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// errorAt reports a rule violation at the value at path, unless the schema
// already reported a problem there.
func (d *document) errorAt(path, hint, format string, args ...any) {
	if d.reported[path] {
		return
	}
	d.reported[path] = true
	d.diags.Errorf(d.src.PosOf(path), hint, format, args...)
}

// errorAtKey is errorAt pointing at the key that introduces path, for
// problems with a field's presence rather than its value.
func (d *document) errorAtKey(path, hint, format string, args ...any) {
	if d.reported[path] {
		return
	}
	d.reported[path] = true
	d.diags.Errorf(d.keyPos(path), hint, format, args...)
}

// keyPos is the position of the key introducing the dotted path.
func (d *document) keyPos(path string) Pos {
	if ptr, ok := d.tree.byPath[path]; ok {
		return d.tree.keyPos(ptr)
	}
	return d.src.PosOf(path)
}

func (d *document) warnAt(path, hint, format string, args ...any) {
	d.diags.Warnf(d.src.PosOf(path), hint, format, args...)
}
