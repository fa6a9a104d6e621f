package manifest

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Canonical key orders: the envelope, then the spec keys in the order of
// DESIGN.md §2's tables. Keys not listed (typos the validator will flag)
// keep their relative order after the known ones.
var (
	envelopeOrder = []string{"apiVersion", "kind", "metadata", "spec"}
	metadataOrder = []string{"name", "labels"}
	exportOrder   = []string{"object", "apiName", "fields", "columnHeaderNames", "format", "filter", "window", "output"}
	importOrder   = []string{"object", "apiName", "source", "format", "lookupField", "listId", "partitionName",
		"programId", "programMemberStatus", "maxFailedRows", "reports"}
	filterOrder = []string{"createdAt", "updatedAt", "staticListName", "staticListId", "smartListName", "smartListId",
		"activityTypeIds", "primaryAttributeValueIds", "primaryAttributeValues",
		"programId", "programIds", "isExhausted", "nurtureCadence", "statusNames"}
	dateRangeOrder = []string{"startAt", "endAt"}
)

// blankMarker stands in for a blank line while the tree is re-encoded:
// yaml.v3 drops blank lines but keeps comments, so a blank line the author
// put between two keys travels as this comment and is turned back into a
// blank line afterwards.
const blankMarker = "#mkbulk-fmt:blank-line"

// Format returns src in canonical form: 2-space indentation, keys in
// canonical order, mappings in block style, blank lines between entries
// collapsed to one, comments kept. Lists keep their flow or block style.
// Format is idempotent. A file that does not parse is returned unchanged
// with a positioned diagnostic as the error; name is used in it.
func Format(name string, src []byte) ([]byte, error) {
	// yaml.v3 may attach a comment differently when it re-reads its own
	// output (a foot comment moving one level in, say), so one pass is not
	// always a fixed point. Formatting again until nothing moves makes
	// Format idempotent; text that does not settle is left alone.
	cur := src
	for range 4 {
		next, err := formatOnce(name, cur)
		if err != nil {
			return src, err
		}
		if bytes.Equal(next, cur) {
			return next, nil
		}
		cur = next
	}
	return src, Diagnostics{{Severity: Error, Pos: Pos{File: name, Line: 1, Col: 1},
		Message: "cannot format this file safely: the formatting does not settle", Hint: "please report it; the file was left as it is"}}
}

// formatOnce is one formatting pass.
func formatOnce(name string, src []byte) ([]byte, error) {
	if err := checkSyntax(src); err != nil {
		return src, Diagnostics{syntaxError(name, src, err)}
	}
	// Documents are parsed one by one: in a multi-document stream yaml.v3
	// attaches the next document's head comment over the previous one's
	// foot comment, losing it.
	var docs []*yaml.Node
	lines := map[*yaml.Node][]string{}
	for _, chunk := range splitDocuments(string(src)) {
		dec := yaml.NewDecoder(strings.NewReader(chunk))
		for first := true; ; first = false {
			n := new(yaml.Node)
			err := dec.Decode(n)
			if errors.Is(err, io.EOF) {
				if first && strings.TrimSpace(chunk) != "" {
					// Only comments: yaml.v3 yields no document at all.
					docs = append(docs, &yaml.Node{Kind: yaml.DocumentNode, HeadComment: strings.TrimSpace(chunk)})
				}
				break
			}
			if err != nil {
				return src, Diagnostics{syntaxError(name, src, err)}
			}
			docs = append(docs, n)
			lines[n] = strings.Split(chunk, "\n")
		}
	}
	docs = foldEmptyDocuments(docs)
	if len(docs) == 0 {
		return src, nil // nothing but comments (or nothing at all)
	}
	var out strings.Builder
	for i, doc := range docs {
		markBlankLines(doc, lines[doc])
		canonicalize(doc)
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		err := enc.Encode(doc)
		if err == nil {
			err = enc.Close()
		}
		if err != nil {
			return src, Diagnostics{{Severity: Error, Pos: Pos{File: name, Line: 1, Col: 1}, Message: "cannot format: " + err.Error()}}
		}
		if i > 0 {
			out.WriteString("---\n")
		}
		out.Write(buf.Bytes())
	}
	formatted := tidyLines(out.String())
	if msg := lossless(src, formatted); msg != "" {
		return src, Diagnostics{{Severity: Error, Pos: Pos{File: name, Line: 1, Col: 1},
			Message: "cannot format this file safely: " + msg, Hint: "please report it; the file was left as it is"}}
	}
	return formatted, nil
}

// checkSyntax parses the whole stream once, so syntax errors carry line
// numbers of the file rather than of one document.
func checkSyntax(src []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// splitDocuments cuts a YAML stream at its "---" document markers (lines
// starting with "---" followed by nothing or a space); each part holds one
// document and its comments.
func splitDocuments(s string) []string {
	var parts []string
	var cur []string
	for _, l := range strings.Split(s, "\n") {
		if l == "---" || strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "---\t") || l == "---\r" {
			parts = append(parts, strings.Join(cur, "\n"))
			cur = []string{strings.TrimSpace(strings.TrimPrefix(l, "---"))}
			continue
		}
		cur = append(cur, l)
	}
	return append(parts, strings.Join(cur, "\n"))
}

// lossless double-checks a formatting result: the documents must decode to
// the same values and every comment line must still be there. It returns
// what went wrong, or "".
func lossless(before, after []byte) string {
	a, errA := decodeAll(before)
	b, errB := decodeAll(after)
	if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
		return "the formatted YAML would mean something else"
	}
	if !slices.Equal(commentLines(before), commentLines(after)) {
		return "a comment would be lost or changed"
	}
	return ""
}

func decodeAll(src []byte) ([]any, error) {
	var docs []any
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if v != nil {
			docs = append(docs, v)
		}
	}
}

// commentLines returns the sorted whole-line comments of a text.
func commentLines(src []byte) []string {
	var out []string
	for _, l := range strings.Split(string(src), "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "#") {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// foldEmptyDocuments drops documents holding only comments, moving their
// comments onto the next document (or the last one): yaml.v3 does not
// re-read a comment-only document the way it wrote it, which would make
// formatting unstable.
func foldEmptyDocuments(docs []*yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	pending := ""
	for _, d := range docs {
		if !isEmptyDocument(d) {
			if pending != "" {
				d.HeadComment = joinComments(pending, d.HeadComment)
				pending = ""
			}
			out = append(out, d)
			continue
		}
		for _, n := range append([]*yaml.Node{d}, d.Content...) {
			for _, c := range []string{n.HeadComment, n.LineComment, n.FootComment} {
				if c != "" {
					pending = joinComments(pending, c)
				}
			}
		}
	}
	if pending != "" && len(out) > 0 {
		last := out[len(out)-1]
		last.FootComment = joinComments(last.FootComment, pending)
	}
	return out
}

// canonicalize orders keys and normalizes collection styles of one document.
func canonicalize(doc *yaml.Node) {
	root := doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	if root.Kind == yaml.MappingNode {
		// A comment above the first key is the document's header: it stays
		// on top whichever key comes first.
		if root != doc && len(root.Content) > 0 && root.Content[0].HeadComment != "" {
			doc.HeadComment = joinComments(doc.HeadComment, root.Content[0].HeadComment)
			root.Content[0].HeadComment = ""
		}
		sortKeys(root, envelopeOrder)
		if md := mappingValue(root, "metadata"); md != nil {
			sortKeys(md, metadataOrder)
		}
		if spec := mappingValue(root, "spec"); spec != nil {
			order := exportOrder
			if k := mappingValue(root, "kind"); k != nil && k.Value == KindImport {
				order = importOrder
			}
			sortKeys(spec, order)
			if f := mappingValue(spec, "filter"); f != nil && f.Kind == yaml.MappingNode {
				sortKeys(f, filterOrder)
				for _, k := range []string{"createdAt", "updatedAt"} {
					if r := mappingValue(f, k); r != nil {
						sortKeys(r, dateRangeOrder)
					}
				}
			}
		}
	}
	normalizeStyles(doc, map[*yaml.Node]bool{})
}

func joinComments(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}

// mappingValue returns the value node of key in mapping m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// sortKeys reorders a mapping's pairs: keys in order first, in that order,
// then the rest as they were. Comments travel with their key nodes.
func sortKeys(m *yaml.Node, order []string) {
	if m.Kind != yaml.MappingNode {
		return
	}
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		pairs = append(pairs, pair{m.Content[i], m.Content[i+1]})
	}
	rank := func(p pair) int {
		if i := slices.Index(order, p.k.Value); i >= 0 && p.k.Kind == yaml.ScalarNode {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return rank(a) - rank(b) })
	for i, p := range pairs {
		m.Content[2*i], m.Content[2*i+1] = p.k, p.v
	}
	// A key that had a blank line above it and now comes first keeps no
	// blank line between it and its parent.
	if len(pairs) > 0 {
		k := pairs[0].k
		k.HeadComment = strings.TrimPrefix(strings.TrimPrefix(k.HeadComment, blankMarker), "\n")
	}
}

// normalizeStyles makes every non-empty mapping block style (nested flow
// mappings are hard to read, and a flow mapping forces dates into quotes),
// and lists holding collections block style too. Lists of scalars keep
// the author's choice: [id, email] is the idiom for fields.
func normalizeStyles(n *yaml.Node, seen map[*yaml.Node]bool) {
	if n == nil || seen[n] {
		return
	}
	seen[n] = true
	switch n.Kind {
	case yaml.MappingNode:
		if len(n.Content) > 0 {
			n.Style &^= yaml.FlowStyle
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind == yaml.MappingNode || c.Kind == yaml.SequenceNode {
				n.Style &^= yaml.FlowStyle
			}
		}
	}
	for _, c := range n.Content {
		normalizeStyles(c, seen)
	}
}

// markBlankLines attaches blankMarker to every key of a block mapping and
// item of a block list that had a blank line above it (above its head
// comment, if any). It runs before canonicalize changes styles and order.
func markBlankLines(n *yaml.Node, lines []string) {
	blankAbove := func(c *yaml.Node) bool {
		start := c.Line
		if c.HeadComment != "" {
			start -= strings.Count(c.HeadComment, "\n") + 1
		}
		i := start - 2 // index of the line above, 0-based
		return i >= 0 && i < len(lines) && strings.TrimSpace(lines[i]) == ""
	}
	mark := func(c *yaml.Node) {
		if c.HeadComment == "" {
			c.HeadComment = blankMarker
		} else {
			c.HeadComment = blankMarker + "\n" + c.HeadComment
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			markBlankLines(c, lines)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 && n.Style&yaml.FlowStyle == 0 && blankAbove(n.Content[i]) {
				mark(n.Content[i])
			}
			markBlankLines(n.Content[i+1], lines)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if i > 0 && n.Style&yaml.FlowStyle == 0 && blankAbove(c) {
				mark(c)
			}
			markBlankLines(c, lines)
		}
	}
}

// tidyLines turns markers back into blank lines, collapses runs of blank
// lines, drops blank lines at the start and end and before "---", and ends
// the text with exactly one newline.
func tidyLines(s string) []byte {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == blankMarker {
			l = ""
		}
		l = strings.TrimRight(l, " \t")
		if l == "" && (len(out) == 0 || out[len(out)-1] == "" || out[len(out)-1] == "---") {
			continue
		}
		if l == "---" && len(out) > 0 && out[len(out)-1] == "" {
			out = out[:len(out)-1]
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return []byte(strings.Join(out, "\n") + "\n")
}
