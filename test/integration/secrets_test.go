package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/cli"
	"github.com/kafka-runbook/kafka-runbook/internal/clientconfig"
	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
	"github.com/kafka-runbook/kafka-runbook/internal/views"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// wrongPassword is a near miss of the real one, as a typo would be: it is a secret too.
const wrongPassword = "Sup3r-Secret-Pa55word-XYZZZ"

// exemptCommands never see the user's cluster or connection settings: demo and the drill
// session commands run a simulated cluster of their own (drill start blocks until drill
// stop), help and completion print text.
// The context commands read only the contexts file, never a cluster or a
// --command-config; that they redact its inline secrets is internal/cli's
// TestContextListUseShow.
// serve runs until stopped: assertServeKeepsSecrets reads its every endpoint instead.
var exemptCommands = []string{"demo", "help", "completion", "drill start", "drill note", "drill stop", "serve",
	"context list", "context use", "context show"}

// TestSecurityNoSecretLeaks runs every command against the SASL_SSL SCRAM-SHA-512 listener with
// a recognisable password, a client private key inline in the properties file and a
// password-protected PKCS12 truststore, in four ways: everything in --command-config; the
// JAAS line with -X on the command line; a wrong password; a wrong truststore password. It
// then looks for every secret in all that was printed and in every file written, and
// checks that whatever prints Settings goes through Redacted().
func TestSecurityNoSecretLeaks(t *testing.T) {
	sc := startSecured(t, kafkatest.KeystorePKCS12)
	props, secrets := secretProperties(t, sc)

	// A broker down makes every runbook do its full work, broker-failure included, which
	// writes a reassignment plan for the RF 2 topic (the RF 3 ones have nowhere to go).
	sc.CreateTopic(t, "shop.audit", [][]int32{{3, 1}}, nil)
	sc.Kill(t, 3)
	eventually(t, 30*time.Second, "broker 3 fenced", func() bool {
		md, err := sc.BrokerMetadata(1)
		return err == nil && len(md.Brokers) == kafkatest.NumBrokers-1
	})

	work := t.TempDir() // the working directory: whatever the tool writes by default lands here
	t.Chdir(work)
	out := filepath.Join(work, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	// A bundle captured with the secrets, for the commands that read one offline.
	ref := filepath.Join(out, "reference-bundle")
	r := runCLI(t, "evidence", "capture", "--out", ref, "-b", sc.bootstrap(listenerSASL), "--command-config", props.full,
		"-X", "sasl.jaas.config="+jaas("SCRAM-SHA-512", "tool", toolPassword))
	if r.code == 3 {
		t.Fatalf("evidence capture: %s", r.stderr)
	}
	assertNoSecret(t, "evidence capture stdout", r.stdout, secrets)
	assertNoSecret(t, "evidence capture stderr", r.stderr, secrets)

	variants := []secretVariant{
		{"properties file", []string{"--command-config", props.full}, []string{"table", "json", "markdown"}, true},
		{"-X sasl.jaas.config", []string{"--command-config", props.noJAAS, "-X", "sasl.jaas.config=" + jaas("SCRAM-SHA-512", "tool", toolPassword)}, []string{"table"}, true},
		{"wrong password", []string{"--command-config", props.wrong}, []string{"table", "json"}, false},
		{"wrong truststore password", []string{"--command-config", props.badStore}, []string{"table"}, false},
	}
	commands := secretCommands(t, out, ref)
	began := time.Now()
	runs := 0
	for _, v := range variants {
		runs = runVariant(t, sc, v, commands, runs, secrets)
	}
	assertServeKeepsSecrets(t, sc, props.full, out, secrets)
	files := assertNoSecretInFiles(t, work, secrets)
	if files < 2 {
		t.Errorf("%d files written: the snapshot and a reassignment plan should have been", files)
	}
	t.Logf("%d runs of %d commands in %d ways and %d files written searched for %d secrets (%s)",
		runs, len(commands), len(variants), files, len(secrets), time.Since(began).Round(time.Second))

	assertSettingsRedacted(t, props.full, secrets)
}

// secretProps are the properties files of the four ways of connecting.
type secretProps struct{ full, noJAAS, wrong, badStore string }

// secretProperties writes the properties files, and returns them with every secret they
// hold: the passwords (with distinctive fragments, in case one is cut), and the client key's
// PEM body, whole and line by line.
func secretProperties(t *testing.T, sc *securedCluster) (secretProps, []string) {
	t.Helper()
	kp, err := sc.CA().IssueClient("tool")
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := kp.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	secrets := append([]string{toolPassword, "Sup3r-Secret", "XYZZY", wrongPassword, storePassword, pemBody(keyPEM)},
		pemLines(keyPEM)...)
	inline := func(pemText []byte) string { return strings.ReplaceAll(strings.TrimSpace(string(pemText)), "\n", `\n`) }
	base := append([]string{"security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512"}, sc.trustProps("p12")...)
	base = append(base, "ssl.keystore.type=PEM", "ssl.keystore.key="+inline(keyPEM), "ssl.keystore.certificate.chain="+inline(kp.ChainPEM()))
	with := func(extra ...string) []string { return append(slices.Clone(base), extra...) }
	good := "sasl.jaas.config=" + jaas("SCRAM-SHA-512", "tool", toolPassword)
	badStore := with(good)
	for i, line := range badStore {
		if line == "ssl.truststore.password="+storePassword {
			badStore[i] = "ssl.truststore.password=" + wrongPassword
		}
	}
	return secretProps{
		full:     sc.properties(t, "secret.properties", with(good)...),
		noJAAS:   sc.properties(t, "no-jaas.properties", base...),
		wrong:    sc.properties(t, "wrong.properties", with("sasl.jaas.config="+jaas("SCRAM-SHA-512", "tool", wrongPassword))...),
		badStore: sc.properties(t, "bad-store.properties", badStore...),
	}, secrets
}

// secretVariant is one way of connecting.
type secretVariant struct {
	name    string
	conn    []string // connection flags
	formats []string // output formats to run every command in
	works   bool     // the login succeeds
}

// runVariant runs every command one way and checks its output; runs counts the runs so far.
func runVariant(t *testing.T, sc *securedCluster, v secretVariant, commands []secretCommand, runs int, secrets []string) int {
	t.Helper()
	for _, cmd := range commands {
		for _, format := range v.formats {
			runs++
			cmdArgs := cmd.argsFor(runs)
			r := runCLI(t, append(append(cmdArgs, "-b", sc.bootstrap(listenerSASL), "-o", format), v.conn...)...)
			what := fmt.Sprintf("%s: %s -o %s", v.name, strings.Join(cmdArgs, " "), format)
			assertNoSecret(t, what+" stdout", r.stdout, secrets)
			assertNoSecret(t, what+" stderr", r.stderr, secrets)
			// The test proves nothing unless the commands really logged in (or really
			// failed to): a cluster command must reach the cluster exactly when it should.
			if cmd.cluster && v.works && r.code == 3 {
				t.Errorf("%s: exit 3: %s", what, r.stderr)
			}
			if cmd.cluster && !v.works && !cmd.records && r.code != 3 {
				t.Errorf("%s: exit %d, want 3", what, r.code)
			}
			if strings.HasPrefix(v.name, "-X") && cmd.cluster && !strings.Contains(r.stderr, "sasl.jaas.config was given with -X") {
				t.Errorf("%s: no warning about the secret on the command line: %q", what, r.stderr)
			}
		}
	}
	return runs
}

// assertNoSecretInFiles searches every file under dir and returns how many there are.
func assertNoSecretInFiles(t *testing.T, dir string, secrets []string) int {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		assertNoSecret(t, "file "+path, string(data), secrets)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// secretCommand is one command line, without connection flags and output format.
type secretCommand struct {
	args    []string
	cluster bool // talks to the cluster
	// records is set for evidence watch, which records a failed login as an event of its
	// incident log and exits 0 when its time is up, so its exit code says nothing here.
	records bool
}

// argsFor returns the arguments of the nth run: "%RUN%" becomes n, so that commands that
// create a new bundle directory each time get one that does not exist yet.
func (c secretCommand) argsFor(n int) []string {
	out := make([]string, len(c.args))
	for i, a := range c.args {
		out[i] = strings.ReplaceAll(a, "%RUN%", strconv.Itoa(n))
	}
	return out
}

// secretCommands lists every command of the CLI with arguments that make it do real work,
// writing into out. It fails the test when the CLI has a command (or subcommand) this list
// does not cover, so that "every command" stays true as commands are
// added. ref is an evidence bundle captured beforehand, for the offline commands.
func secretCommands(t *testing.T, out, ref string) []secretCommand {
	t.Helper()
	snap := filepath.Join(out, "snapshot.json")
	cmds := []secretCommand{
		{args: []string{"snapshot", "-f", snap}, cluster: true},
		{args: []string{"triage"}, cluster: true},
		{args: []string{"triage", "--from", ref}},
		{args: []string{"run", "broker-failure", "--from", ref, "--yes", "--plan-dir", out}},
		{args: []string{"evidence", "capture", "--out", filepath.Join(out, "capture-%RUN%")}, cluster: true},
		{args: []string{"evidence", "watch", "--interval", "300ms", "--for", "1s", "--out", filepath.Join(out, "watch-%RUN%")}, cluster: true, records: true},
		{args: []string{"evidence", "report", ref, "--format", "html", "--out", filepath.Join(out, "report-%RUN%.html")}},
		{args: []string{"evidence", "report", ref}},
		{args: []string{"evidence", "diff", ref}},
		{args: []string{"drill", "from-bundle", ref, "--out", filepath.Join(out, "drill-%RUN%.yaml")}},
		{args: []string{"drill", "list"}},
		{args: []string{"audit"}, cluster: true},
		{args: []string{"audit", "--from", ref}},
		{args: []string{"alerts"}},
	}
	for _, v := range views.Names() {
		cmds = append(cmds, secretCommand{args: []string{"describe", v}, cluster: true})
	}
	lib, err := runbooks.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range lib.Names() {
		cmds = append(cmds, secretCommand{args: []string{"run", name, "--yes", "--plan-dir", out, "--interval", "100ms",
			"--since", snap, "--record", filepath.Join(out, "recorded")}, cluster: true})
	}
	for _, offline := range [][]string{{"codes"}, {"explain", "BROKER_DOWN"}, {"list"}, {"version"}} {
		cmds = append(cmds, secretCommand{args: offline})
	}

	root := cli.NewRootCmd(&cli.App{IO: &cli.IO{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}})
	// Keep only what this build has (drill, for one, came later than this test).
	cmds = slices.DeleteFunc(cmds, func(c secretCommand) bool {
		found, _, err := root.Find(c.args)
		return err != nil || found == root
	})
	covers := func(path []string) bool {
		return slices.ContainsFunc(cmds, func(c secretCommand) bool {
			return len(c.args) >= len(path) && slices.Equal(c.args[:len(path)], path)
		})
	}
	for _, c := range root.Commands() {
		paths := [][]string{{c.Name()}}
		if c.HasSubCommands() {
			paths = nil
			for _, sub := range c.Commands() {
				paths = append(paths, []string{c.Name(), sub.Name()})
			}
		}
		for _, path := range paths {
			name := strings.Join(path, " ")
			if !covers(path) && !slices.Contains(exemptCommands, name) {
				t.Errorf("command %q is not covered by the secret-leak test: add it to secretCommands", name)
			}
		}
	}
	return cmds
}

// assertNoSecret fails the test for every secret found in text, naming where, without
// printing the secret itself.
func assertNoSecret(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for i, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains secret #%d (%d characters)", where, i, len(s))
		}
	}
}

// assertSettingsRedacted checks that every way of printing the loaded settings, the ways a
// debug log would use, shows Redacted() and nothing else.
func assertSettingsRedacted(t *testing.T, props string, secrets []string) {
	t.Helper()
	s, err := clientconfig.Load(clientconfig.Options{CommandConfig: props})
	if err != nil {
		t.Fatal(err)
	}
	if s.SASL.Password.Reveal() != toolPassword {
		t.Fatal("the settings do not hold the password: nothing is proved")
	}
	assertPrintedSettingsRedacted(t, s, secrets)
	assertRevealOnlyWhereLoggedIn(t)
}

// assertPrintedSettingsRedacted prints loaded settings every way a debug log would (fmt
// verbs, JSON, slog) and looks for the secrets in what came out.
func assertPrintedSettingsRedacted(t *testing.T, s *clientconfig.Settings, secrets []string) {
	t.Helper()
	var b bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		fmt.Fprintf(&b, verb+"\n", s)
		fmt.Fprintf(&b, verb+"\n", *s)
		fmt.Fprintf(&b, verb+"\n", s.SASL)
		fmt.Fprintf(&b, verb+"\n", s.SASL.Password)
	}
	js, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	b.Write(js)
	slog.New(slog.NewTextHandler(&b, nil)).Info("settings", "settings", s, "sasl", s.SASL, "password", s.SASL.Password)
	slog.New(slog.NewJSONHandler(&b, nil)).Info("settings", "settings", s, "sasl", s.SASL, "password", s.SASL.Password)
	assertNoSecret(t, "printed settings", b.String(), secrets)
	if !strings.Contains(s.String(), clientconfig.RedactedText) || s.String() != fmt.Sprint(s) {
		t.Errorf("Settings printing does not go through Redacted(): %s", s)
	}
	for k, v := range s.Redacted() {
		assertNoSecret(t, "Redacted()["+k+"]", v, secrets)
	}
	for _, login := range []any{s.SASL.OAuth, s.SASL.Kerberos, s.SASL.MSKIAM} {
		fmt.Fprintf(&b, "%v %+v %#v\n", login, login, login)
	}
	assertNoSecret(t, "printed logins", b.String(), secrets)
}

// revealAllowed are the files that may call Secret.Reveal: where the password is handed to
// the Kafka client libraries. Anywhere else a revealed secret could reach output or disk.
// oauth.go hands the OAuth client secret to the token endpoint.
var revealAllowed = []string{"internal/clientconfig/sarama.go", "internal/clientconfig/kgo.go", "internal/clientconfig/oauth.go"}

// assertRevealOnlyWhereLoggedIn scans the module's Go sources (tests excluded) for calls of
// Reveal outside revealAllowed.
func assertRevealOnlyWhereLoggedIn(t *testing.T) {
	t.Helper()
	root := filepath.Clean(filepath.Join(packageDir, "..", ".."))
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if bytes.Contains(data, []byte(".Reveal()")) && !slices.Contains(revealAllowed, filepath.ToSlash(rel)) {
			t.Errorf("%s calls Secret.Reveal(): only %v may, to hand the password to a Kafka client", rel, revealAllowed)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// packageDir is the directory `go test` runs this package in (test/integration), read
// before any test changes directory.
var packageDir, _ = os.Getwd()

// pemLines are the base64 lines of a PEM block: any one of them in an output is a leak.
func pemLines(pemText []byte) []string {
	var out []string
	for _, line := range strings.Split(string(pemText), "\n") {
		if len(line) > 16 && !strings.HasPrefix(line, "-----") {
			out = append(out, line)
		}
	}
	return out
}

// assertServeKeepsSecrets runs serve with the secrets in its --command-config, reads every
// endpoint after a poll, has an alert capture a bundle into out, and searches the answers,
// the command's output and (through the caller's file search) the bundle for the secrets.
// serve runs until stopped, so it cannot be one of secretCommands' runs.
func assertServeKeepsSecrets(t *testing.T, sc *securedCluster, props, out string, secrets []string) {
	t.Helper()
	addr := freeAddr(t)
	base := "http://" + addr
	var stdout, stderr bytes.Buffer
	app := &cli.App{IO: &cli.IO{In: strings.NewReader(""), Out: &stdout, Err: &stderr}, Getenv: func(string) string { return "" }, Version: "integration"}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, app, []string{"serve", "-b", sc.bootstrap(listenerSASL), "--command-config", props,
			"--listen", addr, "--interval", "500ms", "--incident-dir", filepath.Join(out, "incidents")})
	}()
	eventually(t, 30*time.Second, "serve to have polled the cluster", func() bool {
		code, body, err := httpBody(base + "/triage")
		return err == nil && code == http.StatusOK && strings.Contains(body, `"findings"`)
	})
	alert := map[string]any{"status": "firing", "labels": map[string]string{"alertname": "KafkaBrokerDown", "code": "BROKER_DOWN"},
		"startsAt": time.Now().UTC(), "fingerprint": "secrets-test"}
	payload, _ := json.Marshal(map[string]any{"version": "4", "status": "firing", "receiver": "kafka-runbook", "alerts": []any{alert}})
	resp, err := http.Post(base+"/alertmanager", "application/json", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	eventually(t, 30*time.Second, "the alert's evidence bundle", func() bool {
		_, body, err := httpBody(base + "/incidents")
		return err == nil && strings.Contains(body, "secrets-test")
	})
	for _, path := range []string{"/metrics", "/triage", "/healthz", "/incidents"} {
		code, body, err := httpBody(base + path)
		if err != nil || code != http.StatusOK {
			t.Errorf("serve %s: %d %v", path, code, err)
		}
		assertNoSecret(t, "serve "+path, body, secrets)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exit %d: %s", code, stderr.String())
	}
	assertNoSecret(t, "serve stdout", stdout.String(), secrets)
	assertNoSecret(t, "serve stderr", stderr.String(), secrets)
}
