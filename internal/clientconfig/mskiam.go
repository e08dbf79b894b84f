package clientconfig

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"time"

	"github.com/aws/aws-msk-iam-sasl-signer-go/signer"
	"github.com/aws/aws-sdk-go-v2/aws"
)

// MSKIAM is the AWS MSK IAM login: a SigV4-presigned kafka-cluster:Connect
// URL made by the AWS-maintained signer library, sent as an OAUTHBEARER
// token (the form MSK's IAM listeners accept from non-Java clients). The
// credentials come from the standard AWS chain (environment, shared
// config and credentials files, SSO, container and instance roles), from a
// named profile, or from a role assumed with STS.
type MSKIAM struct {
	// Region is the cluster's AWS region: from the bootstrap host name
	// (b-1.NAME.ID.c2.kafka.REGION.amazonaws.com), else AWS_REGION or
	// AWS_DEFAULT_REGION.
	Region string
	// Profile is the JAAS option awsProfileName, "" for the default chain.
	Profile string
	// RoleARN is the JAAS option awsRoleArn: a role to assume, "" for none.
	RoleARN string
	// RoleSessionName is awsRoleSessionName, "" for the signer's default.
	RoleSessionName string
}

// MSK mechanism and callback handler names, as the aws-msk-iam-auth Java
// library spells them.
const (
	mechanismMSKIAM      = "AWS_MSK_IAM"
	mskOAuthLoginHandler = "software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler"
	mskClientHandler     = "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
)

// mskHost matches MSK broker and serverless host names and captures the region.
var mskHost = regexp.MustCompile(`\.kafka(?:-serverless)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$`)

// mskRegion finds the region in the first MSK bootstrap host, then in the
// environment.
func mskRegion(bootstrap []string, getenv func(string) string) string {
	for _, addr := range bootstrap {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		if m := mskHost.FindStringSubmatch(host); m != nil {
			return m[1]
		}
	}
	if getenv == nil {
		return ""
	}
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return ""
}

// mskCredentialsError marks a failure to get AWS credentials or to sign:
// the broker never saw a login.
type mskCredentialsError struct{ err error }

func (e *mskCredentialsError) Error() string {
	return "AWS MSK IAM: cannot sign the login token: " + e.err.Error() +
		"; check the AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, the instance or task role) and the region"
}
func (e *mskCredentialsError) Unwrap() error               { return e.err }
func (e *mskCredentialsError) SASLCredentialsFailed() bool { return true }

// newMSKSource signs tokens with the credentials m names. With provider
// set (tests), those credentials are used instead of the AWS chain.
func newMSKSource(m *MSKIAM, provider aws.CredentialsProvider, now func() time.Time) *tokenSource {
	fetch := func(ctx context.Context) (string, time.Duration, error) {
		var (
			token    string
			expiryMs int64
			err      error
		)
		switch {
		case provider != nil:
			token, expiryMs, err = signer.GenerateAuthTokenFromCredentialsProvider(ctx, m.Region, provider)
		case m.RoleARN != "":
			token, expiryMs, err = signer.GenerateAuthTokenFromRole(ctx, m.Region, m.RoleARN, m.RoleSessionName)
		case m.Profile != "":
			token, expiryMs, err = signer.GenerateAuthTokenFromProfile(ctx, m.Region, m.Profile)
		default:
			token, expiryMs, err = signer.GenerateAuthToken(ctx, m.Region)
		}
		if err != nil {
			return "", 0, &mskCredentialsError{err: err}
		}
		lifetime := time.UnixMilli(expiryMs).Sub(now())
		if lifetime <= 0 {
			return "", 0, &mskCredentialsError{err: fmt.Errorf("the signed token expired at once (check this machine's clock)")}
		}
		return token, lifetime, nil
	}
	return &tokenSource{fetch: fetch, now: now, refreshFactor: defaultRefreshFactor}
}
