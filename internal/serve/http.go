package serve

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// maxWebhookBytes bounds an Alertmanager notification: a group of a few
// thousand alerts is well under it.
const maxWebhookBytes = 4 << 20

// Handler serves /metrics, /triage, /healthz, /alertmanager and /incidents.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /triage", s.serveTriage)
	mux.HandleFunc("GET /healthz", s.serveHealth)
	mux.HandleFunc("POST /alertmanager", s.serveWebhook)
	mux.HandleFunc("GET /incidents", s.serveIncidents)
	mux.HandleFunc("GET /{$}", s.serveIndex)
	return mux
}

func (s *Server) serveIndex(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "kafka-runbook serve: /metrics /triage /healthz /incidents, and POST /alertmanager (Alertmanager webhook)")
}

// serveTriage writes the last good triage report as `triage -o json` does;
// 503 until a poll has reached the cluster.
func (s *Server) serveTriage(w http.ResponseWriter, _ *http.Request) {
	st := s.State()
	if st.Report == nil {
		http.Error(w, "no poll has reached the cluster yet", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = render.JSON(w, st.Report)
}

// serveHealth answers 200 while serve runs (it keeps serving the last good
// result when the cluster does not answer); the body says how polls go.
func (s *Server) serveHealth(w http.ResponseWriter, _ *http.Request) {
	st := s.State()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	switch {
	case st.Polls == 0:
		fmt.Fprintln(w, "ok: first poll running")
	case st.LastOK:
		fmt.Fprintf(w, "ok: last poll reached the cluster (%d polls, %d failed)\n", st.Polls, st.Failures)
	default:
		fmt.Fprintf(w, "ok: last poll did not reach the cluster; serving the result of %s (%d polls, %d failed)\n",
			st.LastSuccess.UTC().Format(time.RFC3339), st.Polls, st.Failures)
	}
}

func (s *Server) serveIncidents(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = render.JSON(w, struct {
		Incidents []Incident `json:"incidents"`
	}{s.inc.List()})
}

// webhookMessage is the part of Alertmanager's webhook payload (version 4)
// serve reads.
type webhookMessage struct {
	Version string         `json:"version"`
	Status  string         `json:"status"`
	Alerts  []webhookAlert `json:"alerts"`
}

type webhookAlert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	Fingerprint string            `json:"fingerprint"`
}

// serveWebhook takes a notification: firing alerts capture (at once, in
// the background, so Alertmanager is answered within its timeout),
// resolved ones close their incident.
func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if s.opts.Incidents.Capture == nil {
		http.Error(w, "this serve takes no alerts (no --incident-dir)", http.StatusNotFound)
		return
	}
	var msg webhookMessage
	body := io.LimitReader(r.Body, maxWebhookBytes)
	if err := json.NewDecoder(body).Decode(&msg); err != nil {
		http.Error(w, "not an Alertmanager webhook message: "+err.Error(), http.StatusBadRequest)
		return
	}
	for _, a := range msg.Alerts {
		if a.Fingerprint == "" {
			http.Error(w, "alert without fingerprint: Alertmanager 0.19 or later sends one", http.StatusBadRequest)
			return
		}
	}
	for _, a := range msg.Alerts {
		switch a.Status {
		case "firing":
			s.inc.firing(a)
		case "resolved":
			s.inc.resolved(a)
		}
	}
	w.WriteHeader(http.StatusOK)
}
