package clientconfig

import (
	"errors"
	"fmt"
	"strings"
)

// Login modules understood in sasl.jaas.config, by the last part of their
// class name so shaded or vendor copies of the Kafka classes also match.
const (
	modulePlain  = "PlainLoginModule"
	moduleScram  = "ScramLoginModule"
	moduleOAuth  = "OAuthBearerLoginModule"
	moduleKrb5   = "Krb5LoginModule"
	moduleMSKIAM = "IAMLoginModule" // software.amazon.msk.auth.iam
)

// jaasConfig is what we take from a sasl.jaas.config value.
type jaasConfig struct {
	module   string // one of the module* names
	username string
	password string
	// options are every key=value of the entry, username and password
	// included; the OAUTHBEARER, Kerberos and MSK IAM logins read theirs
	// from here.
	options map[string]string
}

// errJAASUnsupported marks a well-formed JAAS entry for a login module we do
// not implement (custom modules, delegation tokens), so the caller can say
// "not supported" rather than "malformed".
var errJAASUnsupported = errors.New("not supported yet")

// parseJAAS parses the single login module entry Kafka clients accept:
//
//	<LoginModuleClass> <flag> [key=value ...];
//
// Values are bare words or quoted with " or ' (backslash escapes as in Java's
// StreamTokenizer); // and /* */ comments are skipped, as Kafka's own parser
// does. A missing final ';' is tolerated.
//
// Error messages describe the position ("option 2") and never the text,
// because the text holds a password and a mis-quoted password would otherwise
// leak in pieces.
func parseJAAS(s string) (jaasConfig, error) {
	toks, err := tokenizeJAAS(s)
	if err != nil {
		return jaasConfig{}, err
	}
	if len(toks) == 0 {
		return jaasConfig{}, errors.New("is empty")
	}
	if toks[0].kind != tokWord {
		return jaasConfig{}, errors.New("must start with a login module class name, e.g. " +
			"org.apache.kafka.common.security.plain.PlainLoginModule")
	}
	cfg := jaasConfig{options: map[string]string{}}
	if cfg.module, err = jaasModule(toks[0].text); err != nil {
		return jaasConfig{}, err
	}
	if len(toks) < 2 || toks[1].kind != tokWord || !isControlFlag(toks[1].text) {
		return jaasConfig{}, errors.New("login module class must be followed by a control flag " +
			"(required, requisite, sufficient or optional)")
	}
	rest := toks[2:]
	for n := 1; len(rest) > 0; n++ {
		if rest[0].kind == tokSemicolon {
			if len(rest) > 1 {
				return jaasConfig{}, errors.New("holds more than one login module; Kafka clients take exactly one")
			}
			break
		}
		if len(rest) < 3 || rest[0].kind != tokWord || rest[1].kind != tokEquals ||
			(rest[2].kind != tokWord && rest[2].kind != tokQuoted) {
			return jaasConfig{}, fmt.Errorf("option %d is not key=value "+
				"(quote values that contain spaces or ;, e.g. password=\"...\")", n)
		}
		key, value := rest[0].text, rest[2].text
		cfg.options[key] = value
		switch key {
		case "username":
			cfg.username = value
		case "password":
			cfg.password = value
		case "tokenauth":
			if strings.EqualFold(value, "true") {
				return jaasConfig{}, fmt.Errorf("delegation tokens (tokenauth=true) are %w", errJAASUnsupported)
			}
		}
		// Other options are kept for the token and Kerberos logins;
		// PLAIN and SCRAM ignore them, as Java login modules do.
		rest = rest[3:]
	}
	if cfg.module != modulePlain && cfg.module != moduleScram {
		return cfg, nil // their options are checked where they are used
	}
	if cfg.username == "" {
		return jaasConfig{}, errors.New("has no username option")
	}
	if cfg.password == "" {
		return jaasConfig{}, errors.New("has no password option")
	}
	return cfg, nil
}

// jaasModule maps a login module class to one of the module* names.
func jaasModule(class string) (string, error) {
	short := class[strings.LastIndex(class, ".")+1:]
	switch short {
	case modulePlain, moduleScram, moduleOAuth, moduleKrb5, moduleMSKIAM:
		return short, nil
	}
	if strings.HasSuffix(short, "LoginModule") && isJavaIdentifier(short) {
		return "", fmt.Errorf("login module %s is %w", short, errJAASUnsupported)
	}
	// Not echoed: a malformed value may begin with the password itself.
	return "", errors.New("must start with a login module class name, e.g. " +
		"org.apache.kafka.common.security.plain.PlainLoginModule")
}

func isControlFlag(s string) bool {
	switch strings.ToLower(s) {
	case "required", "requisite", "sufficient", "optional":
		return true
	}
	return false
}

func isJavaIdentifier(s string) bool {
	for _, r := range s {
		if !(r == '_' || r == '$' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

type tokKind int

const (
	tokWord tokKind = iota
	tokQuoted
	tokEquals
	tokSemicolon
)

type jaasToken struct {
	kind tokKind
	text string
}

// tokenizeJAAS splits a JAAS entry into words, quoted strings, '=' and ';'.
func tokenizeJAAS(s string) ([]jaasToken, error) {
	var toks []jaasToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case strings.HasPrefix(s[i:], "//"):
			end := strings.IndexByte(s[i:], '\n')
			if end < 0 {
				end = len(s) - i
			}
			i += end
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return nil, errors.New("has an unterminated /* comment")
			}
			i += end + 4
		case c == '=':
			toks = append(toks, jaasToken{kind: tokEquals})
			i++
		case c == ';':
			toks = append(toks, jaasToken{kind: tokSemicolon})
			i++
		case c == '"' || c == '\'':
			text, n, err := readQuoted(s[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, jaasToken{kind: tokQuoted, text: text})
			i += n
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r\f=;\"'", rune(s[j])) {
				j++
			}
			toks = append(toks, jaasToken{kind: tokWord, text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

// readQuoted reads a quoted string starting at s[0] and returns its decoded
// text and how many bytes it used, quotes included.
func readQuoted(s string) (string, int, error) {
	quote := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote:
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			i++
			switch e := s[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			default:
				// \\ \" \' and anything else stand for themselves.
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errors.New("has an unterminated quoted value")
}
