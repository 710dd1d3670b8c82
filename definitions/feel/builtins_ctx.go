package feel

func registerContexts(reg func(string, ...sig)) {
	reg("get value", sig{params: []string{"m", "key"}, fn: func(c *bcall, a []Value) Value {
		m, ok := a[0].(*Context)
		if !ok {
			return c.fail("m must be a context, not a %s", TypeName(a[0]))
		}
		switch k := a[1].(type) {
		case string:
			v, _ := m.Get(k)
			return v
		case []Value:
			var cur Value = m
			for _, kv := range k {
				ks, ok := kv.(string)
				ctx, isCtx := cur.(*Context)
				if !ok || !isCtx {
					return nil
				}
				cur, _ = ctx.Get(ks)
			}
			return cur
		}
		return c.fail("key must be a string")
	}})
	reg("get entries", sig{params: []string{"m"}, fn: func(c *bcall, a []Value) Value {
		m, ok := a[0].(*Context)
		if !ok {
			return c.fail("m must be a context, not a %s", TypeName(a[0]))
		}
		out := make([]Value, 0, m.Len())
		for _, k := range m.Keys() {
			out = append(out, ContextOf("key", k, "value", m.vals[k]))
		}
		return out
	}})
	reg("context", sig{params: []string{"entries"}, fn: func(c *bcall, a []Value) Value {
		l, ok := listArg(a[0])
		if !ok {
			return c.fail("entries must be a list of contexts with key and value")
		}
		out := NewContext()
		for _, e := range l {
			ec, ok := e.(*Context)
			if !ok {
				return c.fail("entries must be contexts with key and value")
			}
			k, hasKey := ec.Get("key")
			v, hasValue := ec.Get("value")
			ks, isStr := k.(string)
			if !hasKey || !hasValue || !isStr {
				return c.fail("each entry needs a string key and a value")
			}
			if _, dup := out.Get(ks); dup {
				return c.fail("duplicate key %q", ks)
			}
			out.Set(ks, v)
		}
		return out
	}})
	reg("context put",
		sig{params: []string{"context", "key", "value"}, fn: func(c *bcall, a []Value) Value {
			switch k := a[1].(type) {
			case string:
				return contextPut(c, a[0], []Value{k}, a[2])
			case []Value:
				if len(k) > 0 && !c.named { // named, a list goes by the name "keys"
					return contextPut(c, a[0], k, a[2])
				}
			}
			return c.fail("key must be a string (or keys a non-empty list of strings)")
		}},
		sig{params: []string{"context", "keys", "value"}, fn: func(c *bcall, a []Value) Value {
			ks, ok := a[1].([]Value)
			if !ok || len(ks) == 0 {
				return c.fail("keys must be a non-empty list of strings")
			}
			return contextPut(c, a[0], ks, a[2])
		}})
	reg("context merge", sig{params: []string{"contexts"}, fn: func(c *bcall, a []Value) Value {
		l, ok := listArg(a[0])
		if !ok {
			return c.fail("contexts must be a list of contexts")
		}
		out := NewContext()
		for _, e := range l {
			ec, ok := e.(*Context)
			if !ok {
				return c.fail("contexts must be a list of contexts, not of %s", TypeName(e))
			}
			for _, k := range ec.Keys() {
				out.Set(k, ec.vals[k])
			}
		}
		return out
	}})
}

// contextPut returns a copy of cv with the entry at the key path set to v (creating nested
// contexts is not allowed: every context but the last must exist).
func contextPut(c *bcall, cv Value, keys []Value, v Value) Value {
	ctx, ok := cv.(*Context)
	if !ok {
		return c.fail("context must be a context, not a %s", TypeName(cv))
	}
	k, ok := keys[0].(string)
	if !ok {
		return c.fail("keys must be strings")
	}
	out := ctx.Copy()
	if len(keys) == 1 {
		out.Set(k, v)
		return out
	}
	inner, _ := ctx.Get(k)
	if inner == nil {
		inner = NewContext()
	}
	nv := contextPut(c, inner, keys[1:], v)
	if nv == nil {
		return nil
	}
	out.Set(k, nv)
	return out
}
