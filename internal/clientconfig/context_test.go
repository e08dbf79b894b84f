package clientconfig

import (
	"strings"
	"testing"
)

// TestContextPrecedence: flag > environment > context > defaults, for the
// bootstrap and for the client properties; the context's file and inline
// settings are replaced as a whole by an explicit file.
func TestContextPrecedence(t *testing.T) {
	ctxFile := writeProps(t, "bootstrap.servers=ctxfile:1\nclient.id=from-ctx-file\nsecurity.protocol=PLAINTEXT\n")
	userFile := writeProps(t, "client.id=from-user-file\n")
	userFileWithBootstrap := writeProps(t, "bootstrap.servers=userfile:1\n")
	ctx := func() *ContextDefaults {
		return &ContextDefaults{Name: "prod", Bootstrap: "ctx:1", CommandConfig: ctxFile, Settings: map[string]string{"client.id": "from-ctx-inline"}}
	}
	cases := []struct {
		name                      string
		opts                      Options
		env                       map[string]string
		bootstrap, source, client string
		fromContext               bool
	}{
		{"defaults", Options{}, nil, "", "", DefaultClientID, false},
		{"context alone", Options{Context: ctx()}, nil, "ctx:1", "context prod", "from-ctx-inline", true},
		{"context file bootstrap when the context has none", Options{Context: &ContextDefaults{Name: "prod", CommandConfig: ctxFile}}, nil,
			"ctxfile:1", ctxFile + ":1", "from-ctx-file", true},
		{"env over context", Options{Context: ctx()}, map[string]string{EnvBootstrapServers: "env:1"}, "env:1", EnvBootstrapServers, "from-ctx-inline", false},
		{"flag over env and context", Options{BootstrapServers: "flag:1", Context: ctx()}, map[string]string{EnvBootstrapServers: "env:1"},
			"flag:1", "--bootstrap-server", "from-ctx-inline", false},
		{"explicit file replaces the context's settings", Options{CommandConfig: userFile, Context: ctx()}, nil, "ctx:1", "context prod", "from-user-file", true},
		{"env file replaces them too", Options{CommandConfig: userFile, CommandConfigSource: EnvCommandConfig, Context: ctx()}, nil,
			"ctx:1", "context prod", "from-user-file", true},
		{"explicit file's bootstrap over env and context", Options{CommandConfig: userFileWithBootstrap, Context: ctx()},
			map[string]string{EnvBootstrapServers: "env:1"}, "userfile:1", userFileWithBootstrap + ":1", DefaultClientID, false},
		{"-X over the context", Options{Overrides: []string{"client.id=from-x", "bootstrap.servers=x:1"}, Context: ctx()},
			map[string]string{EnvBootstrapServers: "env:1"}, "x:1", "-X", "from-x", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Getenv = func(k string) string { return tc.env[k] }
			s, err := Load(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(s.BootstrapServers, ",")
			if got != tc.bootstrap || s.BootstrapSource != tc.source || s.ClientID != tc.client || s.BootstrapFromContext != tc.fromContext {
				t.Errorf("bootstrap %q from %q (context %v), client.id %q; want %q from %q (context %v), %q",
					got, s.BootstrapSource, s.BootstrapFromContext, s.ClientID, tc.bootstrap, tc.source, tc.fromContext, tc.client)
			}
		})
	}
}

func TestContextErrorsNameTheContext(t *testing.T) {
	_, err := Load(Options{Context: &ContextDefaults{Name: "prod", CommandConfig: "/nonexistent/prod.properties"}})
	if err == nil || !strings.Contains(err.Error(), "context prod") || !strings.Contains(err.Error(), "/nonexistent/prod.properties") {
		t.Errorf("err %v", err)
	}
	_, err = Load(Options{Context: &ContextDefaults{Name: "prod", Settings: map[string]string{"ssl.truststore.loaction": "/x"}}})
	if err == nil || !strings.Contains(err.Error(), "context prod") || !strings.Contains(err.Error(), "did you mean ssl.truststore.location") {
		t.Errorf("err %v", err)
	}
}
