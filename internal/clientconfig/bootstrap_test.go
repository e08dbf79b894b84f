package clientconfig

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseBootstrap(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"localhost:9092", []string{"localhost:9092"}},
		{" a:1 , b:2 ,", []string{"a:1", "b:2"}},
		{"a:1,b:2,a:1,A:1", []string{"a:1", "b:2"}},
		{"[::1]:9092", []string{"[::1]:9092"}},
		{"[fe80::1%eth0]:9093", []string{"[fe80::1%eth0]:9093"}},
		{"SASL_SSL://kafka-1:9093,PLAINTEXT://kafka-2:9092", []string{"kafka-1:9093", "kafka-2:9092"}},
		{"internal_tls://[::1]:1", []string{"[::1]:1"}},
		{"10.0.0.1:09092", []string{"10.0.0.1:9092"}},
		{"h:65535", []string{"h:65535"}},
	}
	for _, tc := range cases {
		got, err := ParseBootstrap(tc.in)
		if err != nil {
			t.Errorf("ParseBootstrap(%q): %v", tc.in, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ParseBootstrap(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseBootstrapErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "no bootstrap servers"},
		{" , ,", "no bootstrap servers"},
		{"foo", `bootstrap server "foo" has no port (use host:port, e.g. localhost:9092)`},
		{"a:1,foo", `"foo" has no port`},
		{"foo:0", `has port "0"`},
		{"foo:65536", `has port "65536"`},
		{"foo:abc", `has port "abc"`},
		{"foo:", `has port ""`},
		{":9092", "has no host"},
		{"[]:9092", "has no host"},
		{"::1:9092", "IPv6 address without brackets"},
		{"[::1]", "has no port"},
		{"[::1:9092", "unclosed ["},
		{"http://a b:1", "invalid host"},
		{"a/b:1", "invalid host"},
		{"ba d://h:1", "unexpected scheme"},
	}
	for _, tc := range cases {
		_, err := ParseBootstrap(tc.in)
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("ParseBootstrap(%q) err = %v, want *ConfigError", tc.in, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseBootstrap(%q) err = %q, want it to contain %q", tc.in, err, tc.want)
		}
	}
}
