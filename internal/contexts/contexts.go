// Package contexts reads the user's named clusters: a YAML file in the
// user's config directory (or where KAFKA_RUNBOOK_CONFIG points) that
// names, per cluster, how to reach it and free-form labels. One context
// may be current; --context and KAFKA_RUNBOOK_CONTEXT pick another.
//
//	current-context: prod
//	contexts:
//	  prod:
//	    bootstrap: kafka1:9092,kafka2:9092
//	    bootstrap-controller: ctl1:9093     # optional
//	    command-config: prod.properties     # relative to this file
//	    settings:                           # inline client properties
//	      client.id: oncall
//	    labels:
//	      environment: production
//	      dashboard: https://grafana.example.com/d/kafka
//
// The package only reads and writes the file; what wins over what (flags,
// then the environment, then the context) is the command layer's rule.
package contexts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kafka-runbook/kafka-runbook/internal/atomicfile"
)

// Environment variables the command layer reads.
const (
	// EnvConfig points at the contexts file instead of the default path.
	EnvConfig = "KAFKA_RUNBOOK_CONFIG"
	// EnvContext names the context to use when --context is not given.
	EnvContext = "KAFKA_RUNBOOK_CONTEXT"
)

// maxFileSize bounds the file read: a contexts file is a few KiB.
const maxFileSize = 1 << 20

// Context is one named cluster.
type Context struct {
	// Name is the context's key in the file.
	Name string `yaml:"-" json:"name"`
	// Bootstrap is the host:port list of brokers, as for --bootstrap-server.
	Bootstrap string `yaml:"bootstrap,omitempty" json:"bootstrap,omitempty"`
	// BootstrapController is the host:port list of KRaft controllers.
	BootstrapController string `yaml:"bootstrap-controller,omitempty" json:"bootstrap_controller,omitempty"`
	// CommandConfig is a client properties file; a relative path is
	// relative to the contexts file and is made absolute on reading.
	CommandConfig string `yaml:"command-config,omitempty" json:"command_config,omitempty"`
	// Settings are client properties written inline; they win over the
	// CommandConfig file's.
	Settings map[string]string `yaml:"settings,omitempty" json:"settings,omitempty"`
	// Labels are free-form: environment, owner, dashboard links.
	Labels map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
	// File is the contexts file the context was read from.
	File string `yaml:"-" json:"-"`
}

// File is a parsed contexts file.
type File struct {
	// Path is where the file was read from (or would be).
	Path string
	// Exists is false when there is no file at Path.
	Exists bool
	// Current is the current-context value, "" when none.
	Current string
	// Contexts are by name.
	Contexts map[string]*Context
}

// Names returns the context names, sorted.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.Contexts))
	for n := range f.Contexts {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Get returns the named context or an error that lists the known ones.
func (f *File) Get(name string) (*Context, error) {
	if c, ok := f.Contexts[name]; ok {
		return c, nil
	}
	if len(f.Contexts) == 0 {
		return nil, fmt.Errorf("no context %q: %s defines no contexts", name, f.Path)
	}
	return nil, fmt.Errorf("no context %q in %s (known: %s)", name, f.Path, strings.Join(f.Names(), ", "))
}

// Path returns the contexts file: EnvConfig when set, else
// kafka-runbook/config.yaml in the user's config directory (the rules of
// os.UserConfigDir, read through getenv so tests stay hermetic).
func Path(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if p := getenv(EnvConfig); p != "" {
		return p, nil
	}
	dir, err := userConfigDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "kafka-runbook", "config.yaml"), nil
}

func userConfigDir(getenv func(string) string) (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := getenv("AppData"); d != "" {
			return d, nil
		}
		return "", errors.New("%AppData% is not set")
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Application Support"), nil
		}
	default:
		if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
			return d, nil
		}
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, ".config"), nil
		}
	}
	return "", fmt.Errorf("neither $XDG_CONFIG_HOME nor $HOME is set: set %s to the contexts file", EnvConfig)
}

// fileDoc is the file's YAML shape.
type fileDoc struct {
	Current  string              `yaml:"current-context"`
	Contexts map[string]*Context `yaml:"contexts"`
}

var contextName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Load reads the contexts file at path. A missing file is an empty File,
// not an error; a malformed one is an error naming the file and line.
func Load(path string) (*File, error) {
	f := &File{Path: path, Contexts: map[string]*Context{}}
	b, err := readLimited(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, err
	}
	f.Exists = true
	var doc fileDoc
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)                                               // a typo such as "boostrap" must not silently drop the address
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty file, no contexts
		return nil, fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	for name, c := range doc.Contexts {
		if !contextName.MatchString(name) {
			return nil, fmt.Errorf("%s: context name %q: use letters, digits, '.', '_' and '-'", path, name)
		}
		if c == nil {
			c = &Context{}
		}
		c.Name, c.File = name, path
		if c.CommandConfig != "" && !filepath.IsAbs(c.CommandConfig) {
			c.CommandConfig = filepath.Join(filepath.Dir(path), c.CommandConfig)
		}
		f.Contexts[name] = c
	}
	f.Current = doc.Current
	return f, nil
}

func readLimited(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a contexts file", path, maxFileSize)
	}
	return b, nil
}

// SetCurrent makes name the current context, rewriting only the
// current-context line of the file so comments and order survive. The
// file is replaced atomically.
func SetCurrent(f *File, name string) error {
	if _, err := f.Get(name); err != nil {
		return err
	}
	b, err := readLimited(f.Path)
	if err != nil {
		return err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("%s: not a mapping of contexts", f.Path)
	}
	m := root.Content[0]
	set := false
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "current-context" {
			m.Content[i+1].SetString(name)
			set = true
		}
	}
	if !set {
		key, val := &yaml.Node{}, &yaml.Node{}
		key.SetString("current-context")
		val.SetString(name)
		m.Content = append([]*yaml.Node{key, val}, m.Content...)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return err
	}
	info, err := os.Stat(f.Path)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(f.Path, out.Bytes(), info.Mode().Perm()); err != nil {
		return err
	}
	f.Current = name
	return nil
}
