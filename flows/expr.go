package flows

import (
	"fmt"
	"reflect"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
)

// China is the time zone dates are counted in: the law and its deadlines
// are Chinese. A fixed zone avoids depending on the tz database.
var China = time.FixedZone("CST", 8*60*60)

// Day returns the calendar day of t in China time, at midnight.
func Day(t time.Time) time.Time {
	t = t.In(China)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, China)
}

func addMonths(d time.Time, n int) time.Time {
	if d.IsZero() {
		return d
	}
	// Clamp to the end of the target month: 2026-08-31 + 6 months = 2027-02-28.
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, d.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), 0, 0, 0, 0, d.Location())
}

func toInt(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case float64:
		return int(x), nil
	}
	return 0, fmt.Errorf("expected a number, got %T", v)
}

func toTime(v any) (time.Time, error) {
	t, ok := v.(time.Time)
	if !ok {
		return time.Time{}, fmt.Errorf("expected a date, got %T", v)
	}
	return t, nil
}

func toStrings(v any) ([]string, error) {
	switch x := v.(type) {
	case []string:
		return x, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("expected a list of option keys, got %T", e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected a list of option keys, got %T", v)
}

func dateArith(add func(time.Time, int) time.Time) func(params ...any) (any, error) {
	return func(params ...any) (any, error) {
		d, err := toTime(params[0])
		if err != nil {
			return nil, err
		}
		n, err := toInt(params[1])
		if err != nil {
			return nil, err
		}
		if d.IsZero() {
			return d, nil
		}
		return add(d, n), nil
	}
}

func listTest(all bool) func(params ...any) (any, error) {
	return func(params ...any) (any, error) {
		list, err := toStrings(params[0])
		if err != nil {
			return nil, err
		}
		for _, p := range params[1:] {
			k, _ := p.(string)
			found := false
			for _, s := range list {
				if s == k {
					found = true
					break
				}
			}
			if found && !all {
				return true, nil
			}
			if !found && all {
				return false, nil
			}
		}
		return all, nil
	}
}

// exprOptions are the functions every flow expression may call.
var exprOptions = []expr.Option{
	expr.Function("addDays", dateArith(func(d time.Time, n int) time.Time { return d.AddDate(0, 0, n) }),
		new(func(time.Time, int) time.Time)),
	expr.Function("addMonths", dateArith(addMonths), new(func(time.Time, int) time.Time)),
	expr.Function("addYears", dateArith(func(d time.Time, n int) time.Time { return addMonths(d, 12*n) }),
		new(func(time.Time, int) time.Time)),
	expr.Function("isSet", func(params ...any) (any, error) {
		d, err := toTime(params[0])
		return err == nil && !d.IsZero(), err
	}, new(func(time.Time) bool)),
	expr.Function("daysBetween", func(params ...any) (any, error) {
		a, err := toTime(params[0])
		if err != nil {
			return nil, err
		}
		b, err := toTime(params[1])
		if err != nil {
			return nil, err
		}
		if a.IsZero() || b.IsZero() {
			return 0, nil
		}
		return int(Day(b).Sub(Day(a)).Round(time.Hour).Hours() / 24), nil
	}, new(func(time.Time, time.Time) int)),
	// date('2026-01-01') is a calendar day in China time, like every answer;
	// expr's own date() would be UTC, eight hours off.
	expr.Function("date", func(params ...any) (any, error) {
		s, _ := params[0].(string)
		d, err := time.ParseInLocation(time.DateOnly, s, China)
		if err != nil {
			return nil, fmt.Errorf("date(%q): write dates as YYYY-MM-DD", s)
		}
		return d, nil
	}, new(func(string) time.Time)),
	expr.Function("hasAny", listTest(false), new(func([]string, ...string) bool)),
	expr.Function("hasAll", listTest(true), new(func([]string, ...string) bool)),
}

// sampleEnv builds the typed environment used to compile expressions: one
// zero value per name a flow expression may use.
func (f *Flow) sampleEnv() map[string]any {
	env := map[string]any{
		"today":        time.Time{},
		"answered":     []string{},
		"at_least":     []string{},
		"crisis_shown": false,
	}
	for _, id := range f.Order {
		n := f.Nodes[id]
		if v, ok := zeroAnswer(n.Type); ok {
			env[id] = v
		}
		if n.Type == Period && n.From != "" && n.To != "" {
			env[n.From], env[n.To] = time.Time{}, time.Time{}
		}
		if n.Type == Period && n.Ongoing != "" {
			env[n.Ongoing] = false
		}
	}
	return env
}

func zeroAnswer(t NodeType) (any, bool) {
	switch t {
	case Choice:
		return "", true
	case Multi:
		return []string{}, true
	case Number:
		return 0, true
	case Date:
		return time.Time{}, true
	}
	return nil, false
}

// compile compiles e against env; kind says what result is required.
func compile(e *Expr, env map[string]any, kind exprKind) (reflect.Type, error) {
	opts := append([]expr.Option{expr.Env(env)}, exprOptions...)
	switch kind {
	case exprBool:
		opts = append(opts, expr.AsBool())
	case exprNumber:
		opts = append(opts, expr.AsFloat64())
	}
	prog, err := expr.Compile(e.Src, opts...)
	if err != nil {
		return nil, err
	}
	e.prog = prog
	return prog.Node().Type(), nil
}

// exprError turns an expr compile error into words for a flow author.
func exprError(err error) string {
	if fe, ok := err.(*file.Error); ok {
		return fe.Message
	}
	return err.Error()
}

// eval runs a compiled expression.
func (e *Expr) eval(env map[string]any) (any, error) {
	if e == nil || e.prog == nil {
		return nil, fmt.Errorf("expression %q was not compiled", srcOf(e))
	}
	v, err := expr.Run(e.prog, env)
	if err != nil {
		return nil, fmt.Errorf("evaluate %q: %w", e.Src, err)
	}
	return v, nil
}

func srcOf(e *Expr) string {
	if e == nil {
		return ""
	}
	return e.Src
}

// syntaxTree parses an expression without compiling or optimising it: the
// tree as the author wrote it. The compiler's optimiser folds a list of
// constants (x in ['a', 'b']) into a set, which hides the option keys.
func syntaxTree(src string) ast.Node {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	return tree.Node
}

// names lists the identifiers an expression uses (answers, facts, today...).
func names(src string) []string {
	root := syntaxTree(src)
	if root == nil {
		return nil
	}
	var out []string
	ast.Find(root, func(n ast.Node) bool {
		if id, ok := n.(*ast.IdentifierNode); ok {
			out = append(out, id.Value)
		}
		return false
	})
	return out
}

// literalChecks finds comparisons of an answer with an option key that the
// question does not offer, e.g. q2_kind == 'flase', 'x' in q1_what or
// q0_who in ['self_minor', 'chlid'].
func literalChecks(f *Flow, e *Expr) []string {
	if e == nil || e.prog == nil {
		return nil
	}
	var out []string
	check := func(nodeID, key string) {
		n, ok := f.Nodes[nodeID]
		if !ok || (n.Type != Choice && n.Type != Multi) || key == "" {
			return
		}
		keys := make([]string, len(n.Options))
		for i, o := range n.Options {
			if o.Key == key {
				return
			}
			keys[i] = o.Key
		}
		hint := ""
		if s := suggest(key, keys); s != "" {
			hint = fmt.Sprintf(" — did you mean %q?", s)
		}
		out = append(out, fmt.Sprintf("%q is not an option of %s%s (the question %s offers: %s)", key, nodeID, hint, nodeID, optionKeys(n)))
	}
	root := syntaxTree(e.Src)
	if root == nil {
		return nil
	}
	ast.Find(root, func(node ast.Node) bool {
		switch b := node.(type) {
		case *ast.BinaryNode:
			switch b.Operator {
			case "==", "!=":
				if id, s, ok := identAndString(b.Left, b.Right); ok {
					check(id, s)
				}
			case "in", "not in":
				if s, ok := b.Left.(*ast.StringNode); ok {
					if id, ok := b.Right.(*ast.IdentifierNode); ok {
						check(id.Value, s.Value)
					}
				}
				if id, ok := b.Left.(*ast.IdentifierNode); ok {
					if arr, ok := b.Right.(*ast.ArrayNode); ok {
						for _, el := range arr.Nodes {
							if s, ok := el.(*ast.StringNode); ok {
								check(id.Value, s.Value)
							}
						}
					}
				}
			}
		case *ast.CallNode:
			if id, ok := b.Callee.(*ast.IdentifierNode); ok && (id.Value == "hasAny" || id.Value == "hasAll") && len(b.Arguments) > 1 {
				if list, ok := b.Arguments[0].(*ast.IdentifierNode); ok {
					for _, a := range b.Arguments[1:] {
						if s, ok := a.(*ast.StringNode); ok {
							check(list.Value, s.Value)
						}
					}
				}
			}
		}
		return false
	})
	return out
}

func identAndString(a, b ast.Node) (string, string, bool) {
	if id, ok := a.(*ast.IdentifierNode); ok {
		if s, ok := b.(*ast.StringNode); ok {
			return id.Value, s.Value, true
		}
	}
	if id, ok := b.(*ast.IdentifierNode); ok {
		if s, ok := a.(*ast.StringNode); ok {
			return id.Value, s.Value, true
		}
	}
	return "", "", false
}

func optionKeys(n *Node) string {
	s := ""
	for i, o := range n.Options {
		if i > 0 {
			s += ", "
		}
		s += o.Key
	}
	return s
}
