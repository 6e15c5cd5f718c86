package tgfake

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Step is one input of a scripted user: a text message, or a press of
// button Press (1-based) of the latest message with buttons. Expect is the
// number of sendMessage calls that complete the bot's answer to it (a
// message identical to the one just before is a repeat and does not
// count); 0 means any one call (an edited keyboard, an answered callback).
type Step struct {
	Text   string
	Press  int
	Expect int
	Line   int
}

// String renders the step as a script line.
func (s Step) String() string {
	in := "text " + s.Text
	if s.Press > 0 {
		in = "press " + strconv.Itoa(s.Press)
	}
	if s.Expect != 1 {
		in += " | expect " + strconv.Itoa(s.Expect)
	}
	return in
}

// Script is a whole conversation of one user.
type Script struct {
	Name  string
	Steps []Step
}

// ParseScript reads a script: one step per line; "press N" presses the Nth
// button of the latest message with buttons; "text ..." or any other line
// sends that text. A line may end in "| expect N" (default 1): how many
// messages the bot sends in answer. Blank lines and lines starting with #
// are skipped.
func ParseScript(name string, data []byte) (*Script, error) {
	sc := &Script{Name: name}
	var errs []error
	scan := bufio.NewScanner(bytes.NewReader(data))
	scan.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; scan.Scan(); n++ {
		line := strings.TrimSpace(scan.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		st := Step{Expect: 1, Line: n}
		if i := strings.LastIndex(line, "|"); i >= 0 {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line[i+1:]), "expect"); ok {
				v, err := strconv.Atoi(strings.TrimSpace(rest))
				if err != nil || v < 0 || v > 100 {
					errs = append(errs, fmt.Errorf("%s:%d: expect needs a number from 0 to 100", name, n))
					continue
				}
				st.Expect = v
				line = strings.TrimSpace(line[:i])
			}
		}
		switch {
		case strings.HasPrefix(line, "press "):
			v, err := strconv.Atoi(strings.TrimSpace(line[len("press "):]))
			if err != nil || v < 1 {
				errs = append(errs, fmt.Errorf("%s:%d: press needs a button number from 1", name, n))
				continue
			}
			st.Press = v
		case strings.HasPrefix(line, "text "):
			st.Text = line[len("text "):]
		default:
			st.Text = line
		}
		if st.Press == 0 && st.Text == "" {
			errs = append(errs, fmt.Errorf("%s:%d: empty text", name, n))
			continue
		}
		sc.Steps = append(sc.Steps, st)
	}
	if err := scan.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	if len(sc.Steps) == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%s: no steps", name))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return sc, nil
}
