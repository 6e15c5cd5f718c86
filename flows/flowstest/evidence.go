package flowstest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/redress-legal/redress/flows"
)

// EvidenceStore is what RunEvidenceSuite checks: the evidence log
// (flows.EvidenceStore) beside the sessions it is erased with (flows.Store
// and the delete commit of flows.OutboxStore).
type EvidenceStore interface {
	flows.Store
	flows.OutboxStore
	flows.EvidenceStore
}

// AddEvidence appends it to key's log and returns it with its Seq; an item
// with the UpdateID of one received within flows.DuplicateWindow returns
// that one.
func (m *MemStore) AddEvidence(ctx context.Context, key string, it flows.EvidenceItem) (flows.EvidenceItem, error) {
	if err := m.begin(ctx, "AddEvidence"); err != nil {
		return flows.EvidenceItem{}, err
	}
	defer m.mu.Unlock()
	if key == "" {
		return flows.EvidenceItem{}, fmt.Errorf("memstore: add evidence: empty session key: %w", flows.ErrInvalid)
	}
	switch it.Kind {
	case flows.EvidenceFile, flows.EvidenceLink, flows.EvidenceNote:
	default:
		return flows.EvidenceItem{}, fmt.Errorf("memstore: add evidence: kind %q: %w", it.Kind, flows.ErrInvalid)
	}
	it.Received = stampOf(it.Received)
	it.Removed = time.Time{}
	if !it.Counts.SeenAt.IsZero() {
		it.Counts.SeenAt = stampOf(it.Counts.SeenAt)
	}
	log := m.evidence[key]
	if it.UpdateID != 0 {
		for _, old := range log {
			if old.UpdateID == it.UpdateID && !old.Received.Before(it.Received.Add(-flows.DuplicateWindow)) {
				return old, nil
			}
		}
	}
	it.Seq = len(log) + 1
	m.evidence[key] = append(log, it)
	return it, nil
}

// RemoveEvidence records that item seq of key's log was removed at at
// (the first time counts); flows.ErrNotFound when there is no such item.
func (m *MemStore) RemoveEvidence(ctx context.Context, key string, seq int, at time.Time) error {
	if err := m.begin(ctx, "RemoveEvidence"); err != nil {
		return err
	}
	defer m.mu.Unlock()
	log := m.evidence[key]
	if seq < 1 || seq > len(log) {
		return fmt.Errorf("memstore: remove evidence item %d: %w", seq, flows.ErrNotFound)
	}
	if log[seq-1].Removed.IsZero() {
		log[seq-1].Removed = stampOf(at)
	}
	return nil
}

// ListEvidence returns key's whole log in Seq order, removed items included.
func (m *MemStore) ListEvidence(ctx context.Context, key string) ([]flows.EvidenceItem, error) {
	if err := m.begin(ctx, "ListEvidence"); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	return slices.Clone(m.evidence[key]), nil
}

// purgeEvidence removes the logs of keys without a session whose last
// change is before before; the caller holds the lock.
func (m *MemStore) purgeEvidence(before time.Time) {
	for k, log := range m.evidence {
		if _, ok := m.sessions[k]; ok {
			continue
		}
		last := time.Time{}
		for _, it := range log {
			last = maxTime(last, it.Received, it.Removed)
		}
		if last.Before(before) {
			delete(m.evidence, k)
		}
	}
}

func maxTime(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}

// stampOf is t as the SQLite store keeps it: UTC, nanoseconds, no
// monotonic reading.
func stampOf(t time.Time) time.Time { return time.Unix(0, t.UnixNano()).UTC() }
