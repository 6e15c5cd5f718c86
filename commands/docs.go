package commands

import "github.com/redress-legal/redress/flows"

// MsgDocName is the prefix of a document's name in the conversation:
// MsgDocName + the template's ID (cmd.docs.name.complaint). The documents
// are written in Simplified Chinese whatever the reader's language; their
// names in a caption or a list are conversation text, in the catalogs, so
// that a zh-Hant reader reads 刑事控告書 for the file titled 刑事控告书.
const MsgDocName = "cmd.docs.name."

// docNames are the IDs of the built-in documents (papers/templates).
var docNames = []string{"complaint", "private", "assistance", "reconsideration", "supervision", "platform", "protection", "evidence"}

func init() {
	for _, id := range docNames {
		Messages[MsgDocName+id] = []string{}
	}
}

// DocName is the name of the document id in lang: the catalogs' own when
// they have one, else name (what its template calls it: a document of
// one's own templates, the guide).
func DocName(loc flows.Localizer, lang, id, name string) string {
	msg := MsgDocName + id
	if s := loc.Text(lang, flows.Message{ID: msg}); s != "" && s != msg {
		return s
	}
	return name
}
