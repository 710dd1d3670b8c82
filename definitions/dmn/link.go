package dmn

import (
	"errors"
	"fmt"
	"strings"

	"onewindow/definitions"
)

// ErrUnresolvedImport is wrapped by Link and by evaluations of a model whose imports name no
// model at hand.
var ErrUnresolvedImport = errors.New("unresolved import")

func isDMNImport(im *Import) bool {
	return im.ImportType == "" || isDMNSpace(im.ImportType) || strings.Contains(im.ImportType, "spec/DMN/")
}

// Link resolves the imports of each model against the others, by namespace. It returns an
// error naming every import that matches no model (and records it as a problem of the model);
// models whose imports resolve can still be evaluated.
func Link(models ...*Definitions) error {
	byNS := map[string]*Definitions{}
	for _, m := range models {
		if m.Namespace != "" {
			byNS[m.Namespace] = m
		}
	}
	var errs []error
	for _, m := range models {
		m.imported = map[string]*Definitions{}
		m.unnamed = nil
		for _, im := range m.Imports {
			if !isDMNImport(im) {
				msg := fmt.Sprintf("import %q of type %q is not supported (only DMN models can be imported)", im.Name, im.ImportType)
				m.problem(definitions.SeverityError, CodeUnresolvedImport, im.Position, im.Name, msg)
				errs = append(errs, fmt.Errorf("%s: %w: %s", m.Name, ErrUnresolvedImport, msg))
				continue
			}
			o := byNS[im.Namespace]
			if o == nil {
				msg := fmt.Sprintf("import %q: no model with namespace %q%s", im.Name, im.Namespace, locationNote(im))
				m.problem(definitions.SeverityError, CodeUnresolvedImport, im.Position, im.Name, msg)
				errs = append(errs, fmt.Errorf("%s: %w: %s", m.Name, ErrUnresolvedImport, msg))
				continue
			}
			if im.Name == "" {
				m.unnamed = append(m.unnamed, o)
			} else {
				m.imported[im.Name] = o
			}
		}
		definitions.SortProblems(m.problems)
	}
	return errors.Join(errs...)
}

// linkedImport returns the model an import resolved to, or nil.
func (m *Definitions) linkedImport(im *Import) *Definitions {
	if im.Name == "" {
		for _, o := range m.unnamed {
			if o.Namespace == im.Namespace {
				return o
			}
		}
		return nil
	}
	return m.imported[im.Name]
}

// importedByNamespace returns the imported model with namespace ns, or nil.
func (m *Definitions) importedByNamespace(ns string) *Definitions {
	for _, o := range m.imported {
		if o.Namespace == ns {
			return o
		}
	}
	for _, o := range m.unnamed {
		if o.Namespace == ns {
			return o
		}
	}
	return nil
}
