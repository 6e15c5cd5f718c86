package bot

import "github.com/redress-legal/redress/flows"

// Store is what the bot needs from persistence: flows.OutboxStore, the
// contract declared once in flows. data.DB implements it; so does
// flowstest.MemStore for tests.
type Store = flows.OutboxStore
