package main

import (
	"strings"
	"testing"

	"github.com/redress-legal/redress/flows"
)

// TestWordsFitWhoIsTalking: a question put to everyone must read right for
// each person it is put to. q9_public asks whether the attack also affects
// other people; its option about children must speak of the *other* people
// targeted, or a minor attacked, or a parent whose child is the target,
// ticks it for the child the whole conversation is about.
func TestWordsFitWhoIsTalking(t *testing.T) {
	_, loc := e2eFlow(t)
	for lang, other := range map[string]string{"en": "other", "zh-Hans": "其他", "zh-Hant": "其他"} {
		if s := loc.Text(lang, flows.Message{ID: "q.q9_public.opt.minors"}); !strings.Contains(s, other) {
			t.Errorf("%s: q9_public's option %q does not say the children are among the *other* people targeted", lang, s)
		}
	}
}
