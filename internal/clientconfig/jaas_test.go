package clientconfig

import (
	"errors"
	"strings"
	"testing"
)

func TestParseJAAS(t *testing.T) {
	cases := []struct {
		name, in           string
		module, user, pass string
	}{
		{"plain", `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cret";`,
			modulePlain, "alice", "s3cret"},
		{"scram", `org.apache.kafka.common.security.scram.ScramLoginModule required username=bob password="p w;d";`,
			moduleScram, "bob", "p w;d"},
		{"escapes", `org.apache.kafka.common.security.plain.PlainLoginModule REQUIRED username="a\"b" password="x\\y\nz";`,
			modulePlain, `a"b`, "x\\y\nz"},
		{"single quotes, no final semicolon", `x.y.PlainLoginModule optional username='u' password='p'`,
			modulePlain, "u", "p"},
		{"comments and newlines", "PlainLoginModule /* c */ required\n // note\n username=\"u\"\n password=\"p\" ;\n",
			modulePlain, "u", "p"},
		{"unknown options ignored", `ScramLoginModule required serviceName="kafka" username="u" password="p";`,
			moduleScram, "u", "p"},
		{"oauth needs no username", `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="c" clientSecret="s";`,
			moduleOAuth, "", ""},
		{"kerberos", `com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab="/k" principal="c@R";`,
			moduleKrb5, "", ""},
		{"msk", `software.amazon.msk.auth.iam.IAMLoginModule required;`, moduleMSKIAM, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseJAAS(tc.in)
			if err != nil {
				t.Fatalf("parseJAAS: %v", err)
			}
			if got.module != tc.module || got.username != tc.user || got.password != tc.pass {
				t.Errorf("got %+v, want %s %q %q", got, tc.module, tc.user, tc.pass)
			}
		})
	}
}

func TestParseJAASErrorsNeverEchoSecrets(t *testing.T) {
	const pw = "Hunter2Secret"
	cases := []struct {
		name, in, want string
		unsupported    bool
	}{
		{"empty", "  ", "is empty", false},
		{"no module", `username="u" password="` + pw + `";`, "class name", false},
		{"password only", pw, "class name", false},
		{"bad flag", `PlainLoginModule ` + pw + ` username="u";`, "control flag", false},
		{"unquoted space", `PlainLoginModule required username="u" password=Hunter2 Secret;`, "option 3 is not key=value", false},
		{"unterminated", `PlainLoginModule required username="u" password="` + pw, "unterminated", false},
		{"no password", `PlainLoginModule required username="u";`, "no password", false},
		{"no username", `PlainLoginModule required password="` + pw + `";`, "no username", false},
		{"two modules", `PlainLoginModule required username="u" password="` + pw + `"; ScramLoginModule required;`, "more than one", false},
		{"custom module", `com.example.TokenLoginModule required secret="` + pw + `";`, "TokenLoginModule", true},
		{"tokenauth", `ScramLoginModule required username="u" password="` + pw + `" tokenauth=true;`, "delegation", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseJAAS(tc.in)
			if err == nil {
				t.Fatal("want error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %q, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "Hunter2") || strings.Contains(err.Error(), "Secret") {
				t.Errorf("err %q leaks the password", err)
			}
			if errors.Is(err, errJAASUnsupported) != tc.unsupported {
				t.Errorf("errors.Is(unsupported) = %v, want %v", !tc.unsupported, tc.unsupported)
			}
		})
	}
}
