package dmn

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"onewindow/definitions"
)

// MaxSize is the largest .dmn file Parse accepts, in bytes (10 MiB).
const MaxSize = 10 << 20

// maxDepth bounds element nesting (boxed expressions nest, but not this deep).
const maxDepth = 256

// elem is an XML element of a .dmn file with its position: a generic tree the model is built
// from.
type elem struct {
	space, name string
	attrs       []xml.Attr
	children    []*elem
	parent      *elem
	text        strings.Builder
	pos         definitions.Position
}

func (e *elem) attr(name string) string {
	for _, a := range e.attrs {
		if a.Name.Local == name && (a.Name.Space == "" || a.Name.Space == e.space) {
			return a.Value
		}
	}
	return ""
}

func (e *elem) hasAttr(name string) bool {
	for _, a := range e.attrs {
		if a.Name.Local == name {
			return true
		}
	}
	return false
}

// child returns the first child named name in a DMN namespace.
func (e *elem) child(name string) *elem {
	for _, c := range e.children {
		if c.name == name && isDMNSpace(c.space) {
			return c
		}
	}
	return nil
}

// all returns the children named name in a DMN namespace.
func (e *elem) all(name string) []*elem {
	var out []*elem
	for _, c := range e.children {
		if c.name == name && isDMNSpace(c.space) {
			out = append(out, c)
		}
	}
	return out
}

// childText returns the text of the child named name, or "".
func (e *elem) childText(name string) string {
	if c := e.child(name); c != nil {
		return c.text.String()
	}
	return ""
}

// Namespaces of DMN 1.1 to 1.5 models.
var dmnSpaces = map[string]string{
	"http://www.omg.org/spec/DMN/20151101/dmn.xsd":   "1.1",
	"http://www.omg.org/spec/DMN/20180521/MODEL/":    "1.2",
	"https://www.omg.org/spec/DMN/20191111/MODEL/":   "1.3",
	"https://www.omg.org/spec/DMN/20211108/MODEL/":   "1.4",
	"https://www.omg.org/spec/DMN/20230324/MODEL/":   "1.5",
	"https://www.omg.org/spec/DMN/20240513/MODEL/":   "1.6",
	"http://www.omg.org/spec/DMN/20191111/MODEL/":    "1.3",
	"http://www.omg.org/spec/DMN/20211108/MODEL/":    "1.4",
	"http://www.omg.org/spec/DMN/20230324/MODEL/":    "1.5",
	"https://www.omg.org/spec/DMN/20180521/MODEL/":   "1.2",
	"http://www.omg.org/spec/DMN/20151101/dmn11.xsd": "1.1",
}

func isDMNSpace(s string) bool {
	_, ok := dmnSpaces[s]
	return ok
}

// lineIndex turns byte offsets into 1-based lines and columns (columns count characters).
type lineIndex struct {
	data   []byte
	starts []int
}

func newLineIndex(data []byte) *lineIndex {
	li := &lineIndex{data: data, starts: []int{0}}
	for i, b := range data {
		if b == '\n' {
			li.starts = append(li.starts, i+1)
		}
	}
	return li
}

func (li *lineIndex) at(off int64) definitions.Position {
	o := int(min(off, int64(len(li.data))))
	line := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > o })
	col := utf8.RuneCount(li.data[li.starts[line-1]:o]) + 1
	return definitions.Position{Line: line, Column: col}
}

// errNotDMN is returned when the root is not a DMN <definitions>.
var errNotDMN = errors.New("not a DMN file")

// readTree parses the XML of a .dmn file into an element tree.
func readTree(data []byte) (*elem, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("the file is %d bytes; the limit is %d bytes", len(data), MaxSize)
	}
	if !utf8.Valid(data) {
		return nil, errors.New("the file is not UTF-8")
	}
	li := newLineIndex(data)
	d := xml.NewDecoder(bytes.NewReader(data))
	var root *elem
	var stack []*elem
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%d:%d: not well-formed XML: %v", li.at(d.InputOffset()).Line, li.at(d.InputOffset()).Column, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.Contains(bytes.ToUpper(t), []byte("DOCTYPE")) || bytes.Contains(bytes.ToUpper(t), []byte("ENTITY")) {
				return nil, errors.New("DOCTYPE and entity declarations are not allowed")
			}
		case xml.StartElement:
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("elements nested deeper than %d", maxDepth)
			}
			e := &elem{space: t.Name.Space, name: t.Name.Local, attrs: t.Attr, pos: li.at(off)}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				e.parent = p
				p.children = append(p.children, e)
			} else {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if root == nil || root.name != "definitions" || !isDMNSpace(root.space) {
		return nil, errNotDMN
	}
	return root, nil
}
