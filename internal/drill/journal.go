package drill

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/sim"
)

// Event kinds in the journal.
const (
	KindStarted = "started"
	KindInject  = "inject"
	KindRequest = "request"
	KindStopped = "stopped"
	KindDropped = "dropped"
)

// Event is one journal line.
type Event struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	// Inject is set for KindInject.
	Inject *FiredInject `json:"inject,omitempty"`
	// Request is set for KindRequest.
	Request *sim.Request `json:"request,omitempty"`
	// Message explains KindStopped ("stop requested", "interrupted") and
	// KindDropped (how many requests were not journaled).
	Message string `json:"message,omitempty"`
}

// FiredInject is an inject as it took effect.
type FiredInject struct {
	Index int       `json:"index"`
	Due   time.Time `json:"due"`
	Say   string    `json:"say"`
}

// Note is one line of notes.jsonl: a decision the team recorded.
type Note struct {
	At     time.Time `json:"at"`
	Author string    `json:"author,omitempty"`
	Text   string    `json:"text"`
}

// Journal appends events for the serving process. Requests arrive from
// the brokers' connection goroutines and are queued, never blocking a
// broker: when the queue is full they are counted and the count is
// journaled instead.
type Journal struct {
	f       *os.File
	queue   chan Event
	done    chan struct{}
	mu      sync.Mutex
	dropped int
	err     error
}

// OpenJournal starts appending to the session's journal.
func (s *Session) OpenJournal() (*Journal, error) {
	f, err := os.OpenFile(s.Path(JournalFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", s.Path(JournalFile), unwrapPath(err))
	}
	j := &Journal{f: f, queue: make(chan Event, 4096), done: make(chan struct{})}
	go j.run()
	return j, nil
}

func (j *Journal) run() {
	defer close(j.done)
	for e := range j.queue {
		line, err := json.Marshal(e)
		if err == nil {
			_, err = j.f.Write(append(line, '\n'))
		}
		if err != nil {
			j.mu.Lock()
			if j.err == nil {
				j.err = err
			}
			j.mu.Unlock()
		}
	}
}

// Add queues an event; it never blocks.
func (j *Journal) Add(e Event) {
	select {
	case j.queue <- e:
	default:
		j.mu.Lock()
		j.dropped++
		j.mu.Unlock()
	}
}

// Close writes what is queued, notes any requests dropped, and closes the
// file. It returns the first write error.
func (j *Journal) Close() error {
	j.mu.Lock()
	dropped := j.dropped
	j.mu.Unlock()
	if dropped > 0 {
		j.queue <- Event{At: time.Now().UTC(), Kind: KindDropped, Message: fmt.Sprintf("%d requests not journaled (queue full)", dropped)}
	}
	close(j.queue)
	<-j.done
	if err := j.f.Sync(); err != nil && j.err == nil {
		j.err = err
	}
	if err := j.f.Close(); err != nil && j.err == nil {
		j.err = err
	}
	return j.err
}

// AddNote appends a decision to the session's notes. Each note is one
// write of one line with O_APPEND, so notes from several terminals do not
// interleave.
func (s *Session) AddNote(n Note) error {
	if strings.TrimSpace(n.Text) == "" {
		return fmt.Errorf("empty note")
	}
	line, err := json.Marshal(n)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(s.Path(NotesFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("cannot open %s: %w", s.Path(NotesFile), unwrapPath(err))
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", s.Path(NotesFile), err)
	}
	return f.Close()
}

// readLines decodes a JSON Lines file into values made by mk. A torn last
// line (a process killed mid-write) is skipped and reported as a warning;
// a bad line elsewhere is an error naming the file and line.
func readLines[T any](path string) ([]T, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	var out []T
	var warnings []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(line, &v); err != nil {
			if n == bytes.Count(data, []byte("\n"))+1 { // the last, unterminated line
				warnings = append(warnings, fmt.Sprintf("%s: last line is incomplete (the process was killed while writing it); ignored", path))
				continue
			}
			return nil, nil, fmt.Errorf("%s: line %d is not valid JSON: %v", path, n, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, warnings, nil
}
