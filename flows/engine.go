package flows

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MsgSources is the heading of the list of sources an outcome cited.
const MsgSources = "engine.sources"

// DefaultMaxLen is the longest free-text answer accepted when a node sets none.
const DefaultMaxLen = 2000

// maxSteps bounds how many info and branch nodes one input may pass; the
// checker rejects loops without questions, so this is only a safety net.
const maxSteps = 1000

// Step is the whole engine: given a flow, a user's state and what the user
// did, it returns the new state and what to show. It does no I/O and never
// fails: bad input is answered with a re-ask. The given state is not modified.
func Step(f *Flow, s State, in Input) (State, Reply) {
	st := s.clone()
	r := &Reply{}
	if !st.Started() || st.Flow != f.ID {
		lang := st.Lang
		st = State{Flow: f.ID, Version: f.Version, Lang: lang}
		r.Event = EvStarted
		if in.Kind == InCrisis || in.Distress {
			f.showCrisis(r, f.env(st, in.Now))
			st.Crisis = true
		}
		f.emit(r, f.Intro, f.env(st, in.Now))
		f.enter(&st, r, f.Start, in.Now)
		return st, *r
	}
	if st.Version != f.Version {
		if !f.migrate(&st) {
			lang := st.Lang
			st = State{Flow: f.ID, Version: f.Version, Lang: lang}
			r.Event = EvMigrated
			r.notice(MsgFlowChanged, nil)
			f.enter(&st, r, f.Start, in.Now)
			return st, *r
		}
	}
	if in.Kind == InText && in.Distress {
		// Words of distress bring the crisis help first. Typed again at the
		// same question after the help was shown there, they are read as an
		// answer when they are one ("自杀" for how a relative died; a threat
		// described in free text), so no one is asked forever.
		n := f.Nodes[st.Node]
		again := !st.Done && n != nil && n.Type.Asks() && st.Alarmed == st.Node
		if again && n.Type != Text {
			probe := st.clone()
			_, v, _ := f.parseAnswer(n, &probe, in)
			again = v == answered
		}
		if !again {
			if !st.Done && n != nil && n.Type.Asks() {
				st.Alarmed = st.Node
			}
			in.Kind = InCrisis
		}
	}
	switch in.Kind {
	case InRestart:
		st = State{Flow: f.ID, Version: f.Version, Lang: st.Lang}
		r.Event = EvRestart
		r.notice(MsgRestarted, nil)
		f.enter(&st, r, f.Start, in.Now)
		return st, *r
	case InBack:
		f.back(&st, r, in.Now)
		return st, *r
	case InCrisis:
		f.showCrisis(r, f.env(st, in.Now))
		st.Crisis = true
		r.Event = EvCrisis
		if !st.Done {
			r.notice(MsgCrisisResume, nil)
			f.ask(&st, r, false, in.Now)
		}
		return st, *r
	case InHelp:
		n := f.Nodes[st.Node]
		r.Event = EvHelp
		if n != nil && n.Help != "" && !st.Done {
			r.Messages = append(r.Messages, Message{ID: n.Help})
		} else {
			r.notice(MsgNoHelp, nil)
		}
		if !st.Done {
			f.ask(&st, r, false, in.Now)
		}
		return st, *r
	}
	if st.Done {
		r.Event = EvEnded
		r.notice(MsgEnded, nil)
		return st, *r
	}
	n := f.Nodes[st.Node]
	switch in.Kind {
	case InStart, InRepeat:
		r.Event = EvResumed
		if in.Kind == InStart {
			r.notice(MsgResumed, nil)
		}
		f.ask(&st, r, true, in.Now)
		return st, *r
	case InOther:
		r.Event = EvInvalid
		r.notice(MsgNotText, nil)
		f.ask(&st, r, false, in.Now)
		return st, *r
	}
	if in.Node != "" && in.Node != st.Node {
		r.Event = EvStale
		r.notice(MsgStale, nil)
		f.ask(&st, r, false, in.Now)
		return st, *r
	}
	ans, v, problem := f.parseAnswer(n, &st, in) // when answered: how it was read, if that needs saying
	switch v {
	case toggled: // only the keyboard changes
		r.Event = EvToggled
		r.Question = f.question(n, &st)
		return st, *r
	case refused:
		r.Event = EvInvalid
		r.Messages = append(r.Messages, *problem)
		f.ask(&st, r, false, in.Now)
		return st, *r
	}
	if st.Answers == nil {
		st.Answers = map[string]Answer{}
	}
	st.Answers[n.ID] = ans
	st.History = append(st.History, n.ID)
	st.Draft = nil
	st.Alarmed = ""
	r.Event = EvAnswered
	if problem != nil {
		r.Messages = append(r.Messages, *problem)
	}
	env := f.env(st, in.Now)
	f.enter(&st, r, f.nextOf(n, ans, env, r), in.Now)
	return st, *r
}

func (s State) clone() State {
	c := s
	c.Answers = maps.Clone(s.Answers)
	c.History = slices.Clone(s.History)
	c.Draft = slices.Clone(s.Draft)
	return c
}

func (r *Reply) notice(id string, params map[string]any) {
	r.Messages = append(r.Messages, Message{ID: id, Kind: KindNotice, Params: params})
}

// migrate carries a session over to a new flow version when its node still
// exists as the same kind of question; answers to vanished nodes are dropped.
func (f *Flow) migrate(st *State) bool {
	n := f.Nodes[st.Node]
	if n == nil || (!st.Done && !n.Type.Asks()) || (st.Done && n.Type != Outcome) {
		return false
	}
	for id := range st.Answers {
		if f.Nodes[id] == nil || !f.Nodes[id].Type.Asks() {
			delete(st.Answers, id)
		}
	}
	st.History = slices.DeleteFunc(st.History, func(id string) bool { return f.Nodes[id] == nil })
	st.Draft = slices.DeleteFunc(st.Draft, func(k string) bool { return !hasOption(n, k) })
	st.Version = f.Version
	return true
}

func (f *Flow) showCrisis(r *Reply, env map[string]any) {
	c := f.Nodes[f.Crisis]
	if c == nil {
		return
	}
	r.Urgent = true
	f.emit(r, c.Say, env)
}

func (f *Flow) back(st *State, r *Reply, now time.Time) {
	if len(st.History) == 0 {
		r.Event = EvBack
		r.notice(MsgBackAtStart, nil)
		if !st.Done {
			f.ask(st, r, false, now)
		}
		return
	}
	last := st.History[len(st.History)-1]
	st.History = st.History[:len(st.History)-1]
	delete(st.Answers, last)
	st.Node = last
	st.Done = false
	st.Draft = nil
	st.Alarmed = ""
	r.Event = EvBack
	r.notice(MsgBack, nil)
	f.ask(st, r, true, now)
}

// enter moves to node id and runs info, branch and outcome nodes until a
// question is asked or an outcome ends the conversation.
func (f *Flow) enter(st *State, r *Reply, id string, now time.Time) {
	env := f.env(*st, now)
	for i := 0; i < maxSteps; i++ {
		n := f.Nodes[id]
		if n == nil {
			r.Event = EvFault
			return
		}
		st.Node = id
		switch n.Type {
		case Info:
			if id == f.Crisis { // reached by an answer (the danger option): as /sos would
				st.Crisis = true
			}
			f.emit(r, n.Say, env)
			id = f.nextOf(n, Answer{}, env, r)
		case Branch:
			id = f.nextOf(n, Answer{}, env, r)
		case Outcome:
			f.outcome(n, st, r, env)
			return
		default:
			f.ask(st, r, true, now)
			return
		}
	}
	r.Event = EvFault
}

// ask shows the current node's question (with its say messages when full).
func (f *Flow) ask(st *State, r *Reply, full bool, now time.Time) {
	n := f.Nodes[st.Node]
	if n == nil || !n.Type.Asks() {
		return
	}
	env := f.env(*st, now)
	if full {
		f.emit(r, n.Say, env)
	}
	ask := n.Ask
	for _, alt := range n.AskAs {
		if f.holds(alt.When, env, r) {
			ask = alt
			break
		}
	}
	q := f.message(ask, env)
	q.Kind = KindQuestion
	r.Messages = append(r.Messages, q)
	r.Question = f.question(n, st)
}

func (f *Flow) question(n *Node, st *State) *Question {
	q := &Question{Node: n.ID, Type: n.Type, Min: n.Min, Max: n.Max, Unknown: n.Unknown}
	for _, o := range n.Options {
		q.Choices = append(q.Choices, ChoiceItem{Key: o.Key, Label: o.Label, Selected: slices.Contains(st.Draft, o.Key)})
	}
	return q
}

func (f *Flow) outcome(n *Node, st *State, r *Reply, env map[string]any) {
	st.Done = true
	r.Done = true
	if t, ok := env["today"].(time.Time); ok {
		st.Ended = t.Format(time.DateOnly)
	}
	if len(n.Summary) > 0 {
		r.Messages = append(r.Messages, f.summary(n, env, r)...)
		return
	}
	f.emit(r, n.Say, env)
	seen := map[string]bool{}
	for _, sid := range n.Sections {
		r.Messages = append(r.Messages, f.section(sid, env, r, seen)...)
	}
	r.Messages = append(r.Messages, f.sourceList(r.Messages)...)
	f.emit(r, f.Footer, env)
}

// hit is a finding that applies, with its message and rank.
type hit struct {
	fd   *Finding
	m    Message
	rank float64
}

// hits lists the findings of section sid that apply, highest rank first;
// a finding whose topic is in seen is left out, and the topics shown are
// added to seen.
func (f *Flow) hits(sid string, env map[string]any, r *Reply, seen map[string]bool) []hit {
	s := f.Sections[sid]
	if s == nil {
		return nil
	}
	var hits []hit
	for _, fd := range s.Findings {
		if !f.holds(fd.Msg.When, env, r) {
			continue
		}
		m := f.messageR(fd.Msg, env, r)
		m.Kind = KindFinding
		h := hit{fd: fd, m: m}
		if fd.Rank != nil {
			if v, err := fd.Rank.eval(env); err == nil {
				h.rank, _ = v.(float64)
			} else {
				r.fault(err)
			}
		}
		hits = append(hits, h)
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].rank > hits[j].rank })
	if seen != nil {
		hits = slices.DeleteFunc(hits, func(h hit) bool {
			if h.fd.Topic == "" {
				return false
			}
			if seen[h.fd.Topic] {
				return true
			}
			seen[h.fd.Topic] = true
			return false
		})
	}
	return hits
}

// section renders section sid: its heading and the findings that apply,
// or its "empty" message; nothing when neither.
func (f *Flow) section(sid string, env map[string]any, r *Reply, seen map[string]bool) []Message {
	s := f.Sections[sid]
	hits := f.hits(sid, env, r, seen)
	if s == nil || len(hits) == 0 && s.Empty == "" {
		return nil
	}
	out := []Message{{ID: s.Title, Kind: KindHeading}}
	if len(hits) == 0 {
		out = append(out, Message{ID: s.Empty})
	}
	for _, h := range hits {
		out = append(out, h.m)
	}
	return out
}

// sourceList is the heading and the full names of every source msgs cite,
// in order of first citation; nothing when they cite none. Each entry's
// parameters are the source's ID ("id") and its citations ("cites"), so the
// list can say which short names the text used for it.
func (f *Flow) sourceList(msgs []Message) []Message {
	var cited []string
	cites := map[string][]string{} // each source's citations, as written
	for _, m := range msgs {
		for _, c := range m.Cite {
			src := citeSource(c)
			if !slices.Contains(cited, src) {
				cited = append(cited, src)
			}
			if !slices.Contains(cites[src], c) {
				cites[src] = append(cites[src], c)
			}
		}
	}
	if len(cited) == 0 {
		return nil
	}
	out := []Message{{ID: MsgSources, Kind: KindHeading}}
	for _, src := range cited {
		if s, ok := f.Sources[src]; ok {
			out = append(out, Message{ID: s.Label, Kind: KindSource, Params: map[string]any{"id": src, "cites": cites[src]}})
		}
	}
	return out
}

// KindSource marks an entry of the list of sources.
const KindSource MessageKind = "source"

func (r *Reply) fault(err error) {
	if r.Faults == nil {
		r.Faults = []string{}
	}
	r.Faults = append(r.Faults, err.Error())
}

func (f *Flow) holds(e *Expr, env map[string]any, r *Reply) bool {
	if e == nil {
		return true
	}
	v, err := e.eval(env)
	if err != nil {
		r.fault(err)
		return false
	}
	b, _ := v.(bool)
	return b
}

func (f *Flow) emit(r *Reply, refs []MsgRef, env map[string]any) {
	for _, m := range refs {
		if m.When != nil && !f.holds(m.When, env, r) {
			continue
		}
		r.Messages = append(r.Messages, f.messageR(m, env, r))
	}
}

func (f *Flow) message(m MsgRef, env map[string]any) Message {
	return f.messageR(m, env, nil)
}

func (f *Flow) messageR(m MsgRef, env map[string]any, r *Reply) Message {
	out := Message{ID: m.ID, Cite: m.Cite, Unconfirmed: m.Unconfirmed}
	if len(m.Params) > 0 {
		out.Params = make(map[string]any, len(m.Params))
		for k, e := range m.Params {
			v, err := e.eval(env)
			if err != nil && r != nil {
				r.fault(err)
			}
			out.Params[k] = normalize(v)
			if n, ok := out.Params[k].(int64); ok && slices.Contains(atLeastOf(env), e.Src) {
				out.Params[k] = AtLeast(n) // the answer itself, given as "over N"
			}
		}
	}
	return out
}

// atLeastOf lists the questions answered with a lower bound (env "at_least").
func atLeastOf(env map[string]any) []string {
	l, _ := env["at_least"].([]string)
	return l
}

func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	case []any:
		s := make([]string, 0, len(x))
		for _, e := range x {
			s = append(s, fmt.Sprint(e))
		}
		return s
	}
	return v
}

// nextOf decides where a node leads: the chosen option's next, else the
// first route whose condition holds, else next.
func (f *Flow) nextOf(n *Node, a Answer, env map[string]any, r *Reply) string {
	if n.Type == Choice && a.Choice != "" {
		for _, o := range n.Options {
			if o.Key == a.Choice && o.Next != "" {
				return o.Next
			}
		}
	}
	for _, rt := range n.Routes {
		if f.holds(rt.When, env, r) {
			return rt.To
		}
	}
	return n.Next
}

// env builds the expression environment for a state: answers, facts, today.
func (f *Flow) env(st State, now time.Time) map[string]any {
	env := maps.Clone(f.env0())
	answered, atLeast := []string{}, []string{}
	for _, id := range f.Order {
		n := f.Nodes[id]
		a, ok := st.Answers[id]
		if !ok {
			continue
		}
		if !a.Unknown {
			answered = append(answered, id)
		}
		if a.AtLeast {
			atLeast = append(atLeast, id)
		}
		switch n.Type {
		case Choice:
			env[id] = a.Choice
		case Multi:
			env[id] = slices.Clone(a.Choices)
		case Number:
			if a.Number != nil {
				env[id] = int(*a.Number)
			}
		case Date:
			if t, err := time.ParseInLocation(time.DateOnly, a.Date, China); err == nil {
				env[id] = t
			}
		case Period:
			from, err1 := time.ParseInLocation(time.DateOnly, a.Date, China)
			to, err2 := time.ParseInLocation(time.DateOnly, a.Until, China)
			if err1 == nil && err2 == nil && n.From != "" && n.To != "" {
				env[n.From], env[n.To] = from, to
				answered = append(answered, n.From, n.To)
			}
			if n.Ongoing != "" {
				env[n.Ongoing] = a.Ongoing
			}
		}
	}
	env["answered"] = answered
	env["at_least"] = atLeast
	env["crisis_shown"] = st.Crisis
	if !now.IsZero() {
		env["today"] = Day(now)
	}
	for _, fact := range f.Facts {
		if fact.Expr == nil || fact.Expr.prog == nil {
			continue
		}
		v, err := fact.Expr.eval(env)
		if err != nil {
			continue
		}
		env[fact.ID] = v
	}
	return env
}

// env0 is the environment of a state with no answers: every name a flow
// expression may use, with its zero value.
func (f *Flow) env0() map[string]any {
	if f.sample == nil {
		return f.sampleEnv()
	}
	return f.sample
}

func hasOption(n *Node, key string) bool {
	for _, o := range n.Options {
		if o.Key == key {
			return true
		}
	}
	return false
}

// verdict is what an input did to the question asked.
type verdict int

const (
	answered verdict = iota // the Answer is the user's answer
	toggled                 // only the multi-choice draft changed
	refused                 // not an answer: the Message says why
)

// parseAnswer turns an input into an answer for node n; when it is not
// one, the verdict says whether it only changed the draft (toggled) or was
// refused, with the message explaining why. An answer comes with a notice
// when the text had to be interpreted ("一千多" is taken as at least 1,000).
func (f *Flow) parseAnswer(n *Node, st *State, in Input) (Answer, verdict, *Message) {
	invalid := func(id string, params map[string]any) *Message {
		if n.Invalid != "" {
			return &Message{ID: n.Invalid, Kind: KindNotice}
		}
		return &Message{ID: id, Kind: KindNotice, Params: params}
	}
	count := map[string]any{"count": int64(len(n.Options))}
	if n.Unknown != "" {
		count["unknown"] = Label(n.Unknown)
	}
	if in.Kind == InText && n.Unknown != "" && optionByText(n, in.Text) == "" && dontKnow(in.Text) {
		in.Kind = InUnknown // "不知道", "not sure", "?"
	}
	if in.Kind == InUnknown {
		if n.Unknown == "" {
			return Answer{}, refused, invalid(invalidFor(n.Type), boundsParams(n, count))
		}
		return Answer{Unknown: true}, answered, nil
	}
	switch n.Type {
	case Choice:
		key := ""
		switch in.Kind {
		case InChoose:
			key = in.Key
		case InText:
			key = optionByText(n, in.Text)
		}
		if !hasOption(n, key) {
			return Answer{}, refused, invalid(MsgInvalidChoice, count)
		}
		return Answer{Choice: key}, answered, nil
	case Multi:
		switch in.Kind {
		case InToggle, InChoose:
			if !hasOption(n, in.Key) {
				return Answer{}, refused, invalid(MsgInvalidMulti, count)
			}
			st.Draft = toggle(n, st.Draft, in.Key)
			return Answer{}, toggled, nil
		case InDone:
			if len(st.Draft) == 0 {
				return Answer{}, refused, invalid(MsgInvalidMulti, count)
			}
			return Answer{Choices: ordered(n, st.Draft)}, answered, nil
		case InText:
			keys, ex, ok := optionsByText(n, in.Text)
			if !ok {
				if ex != "" {
					return Answer{}, refused, invalid(MsgInvalidExclusive, map[string]any{"option": Label(ex)})
				}
				return Answer{}, refused, invalid(MsgInvalidMulti, count)
			}
			return Answer{Choices: ordered(n, keys)}, answered, nil
		}
		return Answer{}, refused, invalid(MsgInvalidMulti, count)
	case Number:
		if in.Kind != InText {
			return Answer{}, refused, invalid(MsgInvalidNumber, boundsParams(n, nil))
		}
		rd, ok := ReadNumber(in.Text)
		if ok && rd.Vague {
			return Answer{}, refused, &Message{ID: MsgVagueNumber, Kind: KindNotice, Params: unknownParam(n)}
		}
		v := rd.Value
		if !ok || (n.Min != nil && v < *n.Min) || (n.Max != nil && v > *n.Max) {
			return Answer{}, refused, invalid(MsgInvalidNumber, boundsParams(n, unknownParam(n)))
		}
		switch {
		case rd.AtLeast:
			return Answer{Number: &v, AtLeast: true}, answered, &Message{ID: MsgTookAtLeast, Kind: KindNotice, Params: map[string]any{"n": v}}
		case !rd.Plain:
			return Answer{Number: &v}, answered, &Message{ID: MsgTookNumber, Kind: KindNotice, Params: map[string]any{"n": v}}
		}
		return Answer{Number: &v}, answered, nil
	case Date:
		if in.Kind != InText {
			return Answer{}, refused, invalid(MsgInvalidDate, nil)
		}
		rd, ok := ReadDate(in.Text, in.Now)
		if !ok {
			return Answer{}, refused, invalid(MsgInvalidDate, unknownParam(n))
		}
		future := func(d time.Time) bool { return !in.Now.IsZero() && d.After(Day(in.Now)) }
		if ask := unambiguous(&rd, future); ask != nil {
			return Answer{}, refused, ask
		}
		d := rd.Day
		if future(d) {
			return Answer{}, refused, &Message{ID: MsgFutureDate, Kind: KindNotice}
		}
		ans := Answer{Date: d.Format(time.DateOnly)}
		switch {
		case rd.MonthOnly:
			return ans, answered, &Message{ID: MsgTookMonth, Kind: KindNotice, Params: map[string]any{"date": d}}
		case !rd.Exact:
			return ans, answered, &Message{ID: MsgTookDate, Kind: KindNotice, Params: map[string]any{"date": d}}
		}
		return ans, answered, nil
	case Period:
		return readPeriodAnswer(n, in, invalid)
	case Text:
		if in.Kind != InText {
			return Answer{}, refused, invalid(MsgInvalidText, map[string]any{"min": int64(max(n.MinLen, 1))})
		}
		t := strings.TrimSpace(in.Text)
		maxLen := n.MaxLen
		if maxLen == 0 {
			maxLen = DefaultMaxLen
		}
		if utf8.RuneCountInString(t) > maxLen {
			return Answer{}, refused, &Message{ID: MsgTextTooLong, Kind: KindNotice, Params: map[string]any{"max": int64(maxLen)}}
		}
		if utf8.RuneCountInString(t) < max(n.MinLen, 1) {
			return Answer{}, refused, invalid(MsgInvalidText, map[string]any{"min": int64(max(n.MinLen, 1))})
		}
		return Answer{Text: t}, answered, nil
	}
	return Answer{}, refused, invalid(MsgInvalidChoice, count)
}

// unambiguous settles a date that reads either way round (06/07/2026):
// when one reading is in the future, the other is meant; otherwise it
// returns the question to ask back, without guessing.
func unambiguous(d *DateReading, future func(time.Time) bool) *Message {
	if !d.Ambiguous {
		return nil
	}
	switch {
	case future(d.Other) && !future(d.Day):
		*d = DateReading{Day: d.Day}
	case future(d.Day) && !future(d.Other):
		*d = DateReading{Day: d.Other}
	default:
		return &Message{ID: MsgAmbiguousDate, Kind: KindNotice, Params: map[string]any{"a": d.Day, "b": d.Other}}
	}
	return nil
}

// readPeriodAnswer reads a period question's answer: one day, two days, or
// a start that is still going on (see ReadPeriod). Days in the future are
// refused, an ambiguous day (06/07/2026) is asked back, two days in the
// wrong order are taken the right way round, and anything that had to be
// interpreted is said back.
func readPeriodAnswer(n *Node, in Input, invalid func(string, map[string]any) *Message) (Answer, verdict, *Message) {
	if in.Kind != InText {
		return Answer{}, refused, invalid(MsgInvalidDate, unknownParam(n))
	}
	rd, ok := ReadPeriod(in.Text, in.Now)
	if !ok {
		return Answer{}, refused, invalid(MsgInvalidDate, unknownParam(n))
	}
	future := func(d time.Time) bool { return !in.Now.IsZero() && d.After(Day(in.Now)) }
	for _, d := range []*DateReading{&rd.From, &rd.To} {
		if ask := unambiguous(d, future); ask != nil {
			return Answer{}, refused, ask
		}
	}
	from, to := rd.From.Day, rd.To.Day
	if rd.Single {
		to = from
	}
	if from.After(to) {
		from, to = to, from
	}
	if future(to) {
		return Answer{}, refused, &Message{ID: MsgFutureDate, Kind: KindNotice}
	}
	ans := Answer{Date: from.Format(time.DateOnly), Until: to.Format(time.DateOnly), Ongoing: rd.Ongoing}
	both := map[string]any{"from": from, "to": to}
	switch {
	case rd.Ongoing && !to.Equal(Day(in.Now)):
		return ans, answered, &Message{ID: MsgTookStillGoing, Kind: KindNotice, Params: both}
	case rd.Ongoing:
		return ans, answered, &Message{ID: MsgTookOngoing, Kind: KindNotice, Params: both}
	case rd.Single && rd.From.MonthOnly:
		return ans, answered, &Message{ID: MsgTookMonth, Kind: KindNotice, Params: map[string]any{"date": from}}
	case rd.Single && !rd.From.Exact:
		return ans, answered, &Message{ID: MsgTookDate, Kind: KindNotice, Params: map[string]any{"date": from}}
	case !rd.Single && (!rd.From.Exact || !rd.To.Exact):
		return ans, answered, &Message{ID: MsgTookPeriod, Kind: KindNotice, Params: both}
	}
	return ans, answered, nil
}

// unknownParam names the node's "I don't know" answer for a message that
// points to it; none when the node offers none.
func unknownParam(n *Node) map[string]any {
	if n.Unknown == "" {
		return map[string]any{}
	}
	return map[string]any{"unknown": Label(n.Unknown)}
}

func invalidFor(t NodeType) string {
	switch t {
	case Multi:
		return MsgInvalidMulti
	case Number:
		return MsgInvalidNumber
	case Date, Period:
		return MsgInvalidDate
	case Text:
		return MsgInvalidText
	}
	return MsgInvalidChoice
}

func boundsParams(n *Node, base map[string]any) map[string]any {
	p := map[string]any{"min": int64(0), "max": int64(0)}
	if n.Min != nil {
		p["min"] = *n.Min
	}
	if n.Max != nil {
		p["max"] = *n.Max
	}
	for k, v := range base {
		p[k] = v
	}
	if n.Type == Text {
		p = map[string]any{"min": int64(max(n.MinLen, 1))}
	}
	return p
}

// optionByText maps typed text to an option: its number in the list, or its key.
func optionByText(n *Node, text string) string {
	t := strings.TrimSpace(strings.Trim(strings.TrimSpace(text), "[]()（）.。"))
	if i, err := strconv.Atoi(toASCIIDigits(t)); err == nil && i >= 1 && i <= len(n.Options) {
		return n.Options[i-1].Key
	}
	for _, o := range n.Options {
		if strings.EqualFold(o.Key, t) {
			return o.Key
		}
	}
	return ""
}

// optionsByText maps "1 3", "1,3", "1，3", "1、3", "1 and 3" or "1和3" to
// option keys.
//
// When every part names an option but one that stands alone ("none of
// these") is combined with others, it returns that option's label as
// exclusive, and ok false.
func optionsByText(n *Node, text string) (keys []string, exclusive string, ok bool) {
	fields := answerFields(text)
	if len(fields) == 0 {
		return nil, "", false
	}
	for _, fld := range fields {
		k := optionByText(n, fld)
		if k == "" {
			return nil, "", false
		}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	// An exclusive option cannot be combined with others.
	if len(keys) > 1 {
		for _, o := range n.Options {
			if o.Exclusive && slices.Contains(keys, o.Key) {
				return nil, o.Label, false
			}
		}
	}
	return keys, "", true
}

// answerFields splits a typed "choose all that apply" answer into its
// parts: "1 3", "1,3", "1、3", "1 and 3", "1和3".
func answerFields(text string) []string {
	fields := strings.FieldsFunc(toASCIIDigits(text), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",，、;；/&＆+和及与跟", r)
	})
	return slices.DeleteFunc(fields, func(f string) bool {
		f = strings.ToLower(f)
		return f == "and" || f == "以" || f == "还有" || f == "以及"
	})
}

func toggle(n *Node, draft []string, key string) []string {
	if i := slices.Index(draft, key); i >= 0 {
		return slices.Delete(slices.Clone(draft), i, i+1)
	}
	exclusive := false
	for _, o := range n.Options {
		if o.Key == key {
			exclusive = o.Exclusive
		}
	}
	if exclusive {
		return []string{key}
	}
	out := slices.DeleteFunc(slices.Clone(draft), func(k string) bool {
		for _, o := range n.Options {
			if o.Key == k && o.Exclusive {
				return true
			}
		}
		return false
	})
	return append(out, key)
}

// ordered returns keys in the order the node lists its options.
func ordered(n *Node, keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, o := range n.Options {
		if slices.Contains(keys, o.Key) {
			out = append(out, o.Key)
		}
	}
	return out
}
