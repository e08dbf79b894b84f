package evidence

import (
	"fmt"
	"time"
)

// AlertFile is the alert a bundle was captured for (`serve`'s
// Alertmanager webhook): when it fired, when the bundle was written and
// when it resolved, which closes the bundle's timeline.
const AlertFile = "alert.json"

// AlertSchemaVersion versions alert.json.
const AlertSchemaVersion = 1

// Alert is alert.json.
type Alert struct {
	SchemaVersion int               `json:"schema_version"`
	Name          string            `json:"alertname"`
	Fingerprint   string            `json:"fingerprint"`
	Status        string            `json:"status"` // firing or resolved
	Labels        map[string]string `json:"labels"`
	Annotations   map[string]string `json:"annotations"`
	FiredAt       time.Time         `json:"fired_at"`
	CapturedAt    time.Time         `json:"captured_at"`
	// ResolvedAt is when Alertmanager said the alert resolved; nil while
	// it fires.
	ResolvedAt *time.Time `json:"resolved_at"`
	// Notifications counts the firing notifications received for it; all
	// after the first were deduplicated into this bundle.
	Notifications int `json:"notifications"`
}

// RecordAlert writes (or rewrites) alert.json in the existing bundle at
// dir and lists it in the manifest; a resolved alert also stamps the
// bundle finished at its resolution (when that is later than the capture).
func RecordAlert(dir string, a Alert) error {
	a.SchemaVersion = AlertSchemaVersion
	if a.Labels == nil {
		a.Labels = map[string]string{}
	}
	if a.Annotations == nil {
		a.Annotations = map[string]string{}
	}
	data, err := encodeJSON(a)
	if err != nil {
		return err
	}
	entry, err := writeInPlace(dir, AlertFile, data)
	if err != nil {
		return err
	}
	if err := updateManifest(dir, func(m *Manifest) {
		m.upsert(entry)
		if a.ResolvedAt != nil && (m.FinishedAt == nil || a.ResolvedAt.After(*m.FinishedAt)) {
			at := a.ResolvedAt.UTC()
			m.FinishedAt = &at
		}
	}); err != nil {
		return fmt.Errorf("recording %s in %s: %w", AlertFile, dir, err)
	}
	return nil
}
