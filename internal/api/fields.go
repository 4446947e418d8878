package api

import (
	"iter"
	"reflect"
	"strings"
)

// jsonField is one field of a struct as encoding/json sees it.
type jsonField struct {
	name      string
	typ       reflect.Type
	omitempty bool // omitempty or omitzero
	asString  bool // the ",string" option
	// embedded is set, and name empty, for an untagged embedded struct
	// whose fields are promoted.
	embedded reflect.Type
}

// jsonFields yields the fields of struct type t that encoding/json encodes,
// in declaration order: exported, not tagged "-".
func jsonFields(t reflect.Type) iter.Seq[jsonField] {
	return func(yield func(jsonField) bool) {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			ft := sf.Type
			if sf.Anonymous && name == "" {
				et := ft
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					if !yield(jsonField{embedded: et}) {
						return
					}
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			f := jsonField{name: name, typ: ft}
			for o := range strings.SplitSeq(opts, ",") {
				switch o {
				case "omitempty", "omitzero":
					f.omitempty = true
				case "string":
					f.asString = true
				}
			}
			if !yield(f) {
				return
			}
		}
	}
}
