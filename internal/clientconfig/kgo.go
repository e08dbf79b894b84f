package clientconfig

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// KgoOptions returns the franz-go client options for the same connection
// settings: TLS, SASL and client id. franz-go carries the few requests
// sarama lacks (leader-epoch checks), so both clients must connect alike.
func (s *Settings) KgoOptions() ([]kgo.Opt, error) {
	opts := []kgo.Opt{kgo.ClientID(s.ClientID)}
	if tc := s.TLSConfig(); tc != nil {
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	if !s.SecurityProtocol.UsesSASL() {
		return opts, nil
	}
	var mech sasl.Mechanism
	user, pass := s.SASL.Username, s.SASL.Password.Reveal()
	switch {
	case s.tokens != nil:
		src, ext := s.tokens, s.SASL.extensions()
		return append(opts, kgo.SASL(oauth.Oauth(func(ctx context.Context) (oauth.Auth, error) {
			tok, err := src.Token(ctx)
			return oauth.Auth{Token: tok, Extensions: ext}, err
		}))), nil
	case s.SASL.Kerberos != nil:
		return append(opts, kgo.SASL(s.SASL.Kerberos.kgoMechanism())), nil
	}
	switch s.SASL.Mechanism {
	case "PLAIN":
		mech = plain.Auth{User: user, Pass: pass}.AsMechanism()
	case "SCRAM-SHA-256":
		mech = scram.Auth{User: user, Pass: pass}.AsSha256Mechanism()
	case "SCRAM-SHA-512":
		mech = scram.Auth{User: user, Pass: pass}.AsSha512Mechanism()
	default:
		return nil, fmt.Errorf("sasl.mechanism %s is not supported", s.SASL.Mechanism)
	}
	return append(opts, kgo.SASL(mech)), nil
}
