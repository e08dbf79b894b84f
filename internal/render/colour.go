package render

import "strings"

// Tone is the colour a status, severity or risk label takes on a terminal.
// Labels are coloured by what they mean, so that the same word has the
// same colour in every command.
type Tone int

// The tones, from no colour to the worst.
const (
	ToneNone Tone = iota
	ToneGood
	ToneInfo
	ToneUnknown
	ToneWarning
	ToneCritical
)

// tones maps the labels the tool prints (statuses, severities, verdict
// labels, a partition's or a group's state, a probe's result, an action's
// risk) to their tone. Keys are lower case; ToneOf folds case.
var tones = map[string]Tone{
	// statuses and severities (diag/verdict, diag/findings)
	"ok": ToneGood, "info": ToneInfo, "unknown": ToneUnknown, "skipped": ToneUnknown,
	"warning": ToneWarning, "critical": ToneCritical,
	// risks of a printed command (runbooks.Risk)
	"safe": ToneGood, "caution": ToneWarning, "dangerous": ToneCritical,
	// a partition's replication state (diag/health)
	"offline": ToneCritical, "under-min-isr": ToneCritical,
	"at-min-isr": ToneWarning, "under-replicated": ToneWarning, "reassigning": ToneInfo,
	// a broker probe's result
	"down": ToneCritical, "up": ToneGood,
	"refused": ToneCritical, "unreachable": ToneCritical, "timeout": ToneCritical, "hung": ToneCritical,
	"tls_error": ToneCritical, "auth_error": ToneCritical, "unauthorized": ToneWarning,
	// a consumer group's lag status (diag/lag)
	"error": ToneCritical, "blocked": ToneCritical, "stopped": ToneCritical, "stalled": ToneCritical,
	"rewind": ToneCritical, "not_enough_data": ToneUnknown,
}

// ToneOf is the tone of a label, ToneNone for words that are not one.
func ToneOf(label string) Tone {
	return tones[strings.ToLower(strings.TrimSpace(label))]
}

// SGR sequences of each tone: bold red for what is broken, yellow for what
// is at risk, green for what is fine, cyan for information, magenta for
// what could not be judged. Only the 8 basic colours, which every terminal
// and every theme maps to something readable.
var sgr = map[Tone]string{
	ToneGood:     "\x1b[32m",
	ToneInfo:     "\x1b[36m",
	ToneUnknown:  "\x1b[35m",
	ToneWarning:  "\x1b[33m",
	ToneCritical: "\x1b[1;31m",
}

const sgrReset = "\x1b[0m"

// Paint wraps s in the escape codes of tone. The escape codes take no
// column on the screen; widths are always measured on the text without
// them (see displayWidth).
func Paint(s string, tone Tone) string {
	code, ok := sgr[tone]
	if !ok || s == "" {
		return s
	}
	return code + s + sgrReset
}

// Label colours a label by its own meaning when o asks for colour in the
// table format, and returns it unchanged otherwise (pipes, files,
// NO_COLOR, golden files, Markdown and JSON, which are read elsewhere).
func (o Options) Label(s string) string {
	return o.LabelAs(s, s)
}

// colour reports whether o colours labels.
func (o Options) colour() bool {
	return o.Color && (o.Format == FormatTable || o.Format == "")
}

// LabelAs colours s with the tone of the label named by key when o asks
// for colour: "[ok]" coloured as "ok", "CRITICAL: 3 steps" as "critical".
func (o Options) LabelAs(s, key string) string {
	if !o.colour() {
		return s
	}
	return Paint(s, ToneOf(key))
}

// displayWidth is the number of columns s takes on a terminal: escape
// sequences take none, wide characters two.
func displayWidth(s string) int {
	if strings.IndexByte(s, 0x1b) >= 0 {
		s = stripEscapes(s)
	}
	return cellWidth(s)
}

// stripEscapes removes SGR and other CSI sequences (ESC [ ... final byte).
func stripEscapes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
