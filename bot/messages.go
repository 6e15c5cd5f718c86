package bot

// The transport's own catalog message IDs. The catalogs (locales/active.*)
// hold their texts; the lint checks that every ID below exists there and
// uses only the parameters listed in Messages.
const (
	MsgHelp          = "tg.help"           // /help: what the bot does and its commands
	MsgPrivacy       = "tg.privacy"        // /privacy: what is stored, for how long, /delete
	MsgDeleteConfirm = "tg.delete.confirm" // /delete: are you sure?
	MsgDeleteDone    = "tg.delete.done"    // after deleting
	MsgPrivateOnly   = "tg.private_only"   // a command sent in a group
	MsgMedia         = "tg.media"          // a photo, file, voice or video message
	MsgEdited        = "tg.edited"         // an edited message
	MsgTooLong       = "tg.too_long"       // a text longer than a Telegram message
	MsgError         = "tg.error"          // apology after an internal error
	MsgAnswer        = "tg.answer"         // the answer shown under an answered question
	MsgMultiDone     = "tg.multi.done"     // button: finish a multiple choice
	MsgReportMore    = "tg.report.more"    // button: the next page of a part of the report
	MsgReportCaption = "tg.report.caption" // the caption of the full report file
	MsgCmdStart      = "tg.cmd.start"      // command menu: /start
	MsgCmdHelp       = "tg.cmd.help"       // command menu: /help
	MsgCmdBack       = "tg.cmd.back"       // command menu: /back
	MsgCmdRestart    = "tg.cmd.restart"    // command menu: /restart
	MsgCmdLang       = "tg.cmd.lang"       // command menu: /lang
	MsgCmdSOS        = "tg.cmd.sos"        // command menu: /sos
	MsgCmdPrivacy    = "tg.cmd.privacy"    // command menu: /privacy
	MsgCmdDelete     = "tg.cmd.delete"     // command menu: /delete
	MsgCmdReport     = "tg.cmd.report"     // command menu: /report
	MsgCmdDocuments  = "tg.cmd.documents"  // command menu: /documents
	MsgCmdEvidence   = "tg.cmd.evidence"   // command menu: /evidence

	MsgEvidenceHow         = "tg.evidence.how"          // /evidence: how to add to the evidence log here
	MsgEvidenceFetchFailed = "tg.evidence.fetch_failed" // a file Telegram would not give the bot
)

// Messages lists every catalog message ID the Telegram transport uses, with
// the parameters its template may use, so the lint can check the catalogs.
// The sentences of commands and menus shared with the terminal are
// commands.Messages.
var Messages = map[string][]string{
	MsgHelp:          {},
	MsgPrivacy:       {"days"},
	MsgDeleteConfirm: {},
	MsgDeleteDone:    {},
	MsgPrivateOnly:   {},
	MsgMedia:         {},
	MsgEdited:        {},
	MsgTooLong:       {"max"},
	MsgError:         {},
	MsgAnswer:        {"answer"},
	MsgMultiDone:     {},
	MsgReportMore:    {},
	MsgReportCaption: {},
	MsgCmdStart:      {},
	MsgCmdHelp:       {},
	MsgCmdBack:       {},
	MsgCmdRestart:    {},
	MsgCmdLang:       {},
	MsgCmdSOS:        {},
	MsgCmdPrivacy:    {},
	MsgCmdDelete:     {},
	MsgCmdReport:     {},
	MsgCmdDocuments:  {},
	MsgSlowDown:      {},

	MsgCmdEvidence:         {},
	MsgEvidenceHow:         {},
	MsgEvidenceFetchFailed: {},
}
