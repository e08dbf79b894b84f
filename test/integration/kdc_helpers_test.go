package integration

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"
)

// envRequireKerberos turns a missing MIT Kerberos KDC (Debian's krb5-kdc and
// krb5-admin-server, installed by .ci/run) from a skip into a failure, so CI
// never passes without having run the GSSAPI tests.
const envRequireKerberos = "KAFKA_RUNBOOK_REQUIRE_KERBEROS"

// kdcRealm is the test realm; brokers are kafka/127.0.0.1, the tool's
// principal is client.
const (
	kdcRealm        = "KAFKATEST.LOCAL"
	brokerPrincipal = "kafka/127.0.0.1@" + kdcRealm
	clientPrincipal = "client@" + kdcRealm
)

// kdc is a throwaway MIT Kerberos realm run by the test: its own kdc.conf,
// krb5.conf and database in a temp dir, krb5kdc on a free loopback port.
type kdc struct {
	krb5conf      string // for the brokers' JVMs and the tool alike
	brokerKeytab  string
	clientKeytab  string
	wrongKeytab   string // client's principal with keys the KDC does not hold
	clientKeytabB []byte // its contents, to search outputs for
}

// kerberosTools finds the MIT KDC programs; a missing one skips the
// Kerberos tests unless envRequireKerberos is set.
func kerberosTools(t *testing.T) (krb5kdc, kdb5util, kadmin string, ok bool) {
	t.Helper()
	var paths []string
	for _, name := range []string{"krb5kdc", "kdb5_util", "kadmin.local"} {
		p, err := exec.LookPath(name)
		if err != nil {
			for _, dir := range []string{"/usr/sbin", "/usr/local/sbin"} {
				if _, serr := os.Stat(filepath.Join(dir, name)); serr == nil {
					p, err = filepath.Join(dir, name), nil
				}
			}
		}
		if err != nil {
			if os.Getenv(envRequireKerberos) != "" {
				t.Fatalf("%s is not installed but %s is set (apt-get install krb5-kdc krb5-admin-server)", name, envRequireKerberos)
			}
			t.Logf("%s is not installed: the GSSAPI tests do not run (set %s to make this a failure)", name, envRequireKerberos)
			return "", "", "", false
		}
		paths = append(paths, p)
	}
	return paths[0], paths[1], paths[2], true
}

// startKDC creates the realm and its principals and keytabs, and runs the KDC until the
// test ends.
func startKDC(t *testing.T, krb5kdc, kdb5util, kadmin string) *kdc {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	k := &kdc{krb5conf: filepath.Join(dir, "krb5.conf"), brokerKeytab: filepath.Join(dir, "kafka.keytab"),
		clientKeytab: filepath.Join(dir, "client.keytab"), wrongKeytab: filepath.Join(dir, "wrong.keytab")}
	kdcConf := filepath.Join(dir, "kdc.conf")
	files := map[string]string{
		kdcConf: fmt.Sprintf(`[kdcdefaults]
 kdc_ports = %[1]d
 kdc_tcp_ports = %[1]d
[realms]
 %[2]s = {
  database_name = %[3]s/principal
  key_stash_file = %[3]s/stash
  acl_file = %[3]s/kadm5.acl
  kdc_ports = %[1]d
  kdc_tcp_ports = %[1]d
  max_life = 1h
  supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
 }
[logging]
 kdc = FILE:%[3]s/kdc.log
`, port, kdcRealm, dir),
		// TCP only (udp_preference_limit = 1) for Java and gokrb5 alike; no DNS.
		k.krb5conf: fmt.Sprintf(`[libdefaults]
 default_realm = %[2]s
 dns_lookup_realm = false
 dns_lookup_kdc = false
 rdns = false
 udp_preference_limit = 1
 default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
 default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
 permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
[realms]
 %[2]s = {
  kdc = 127.0.0.1:%[1]d
 }
`, port, kdcRealm),
		filepath.Join(dir, "kadm5.acl"): "",
	}
	for path, text := range files {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "KRB5_CONFIG="+k.krb5conf, "KRB5_KDC_PROFILE="+kdcConf)
	runTool := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env, cmd.Dir = env, dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	runTool(kdb5util, "-r", kdcRealm, "create", "-s", "-P", "kdc-master-password")
	for _, q := range []string{
		"addprinc -randkey kafka/127.0.0.1", "addprinc -randkey client",
		"ktadd -k " + k.brokerKeytab + " kafka/127.0.0.1", "ktadd -k " + k.clientKeytab + " client",
	} {
		runTool(kadmin, "-r", kdcRealm, "-q", q)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	cmd := exec.CommandContext(ctx, krb5kdc, "-n", "-r", kdcRealm)
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = env, dir, &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	eventually(t, 10*time.Second, "the KDC listening", func() bool {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	var err error
	if k.clientKeytabB, err = os.ReadFile(k.clientKeytab); err != nil {
		t.Fatal(err)
	}
	// A keytab for the right principal with keys the KDC never issued: what a stale or
	// mixed-up keytab looks like.
	wrong := keytab.New()
	if err := wrong.AddEntry("client", kdcRealm, "not-the-client-key", time.Now(), 2, 18); err != nil {
		t.Fatal(err)
	}
	b, err := wrong.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k.wrongKeytab, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return k
}

// brokerJAAS is the brokers' GSSAPI login.
func (k *kdc) brokerJAAS() string {
	return fmt.Sprintf(`com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab="%s" principal="%s";`,
		k.brokerKeytab, brokerPrincipal)
}

// freePort returns a TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
