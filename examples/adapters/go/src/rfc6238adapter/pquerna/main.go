// pquerna/otp (Go) for the rfc6238 conformance runner (docs/protocol.md).
//
//	apt-get install golang-go golang-github-pquerna-otp-dev
//	GO111MODULE=off GOPATH=$PWD/examples/adapters/go:/usr/share/gocode \
//	    go build -o examples/adapters/go/bin/pquerna rfc6238adapter/pquerna
//	rfc6238 conformance --jsonl 'pquerna-otp=examples/adapters/go/bin/pquerna'
//
// Mapping: the key as base32 (key_base32), counters as uint64, times as time.Unix (int64
// seconds), Digits and Algorithm constants (an algorithm name with no constant is
// unsupported: a Go caller cannot pass it); ValidateCustom's Skew is a symmetric window;
// no T0, no HOTP look-ahead; otp.NewKeyFromURL for parse_uri.
package main

import (
	"errors"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
	"rfc6238adapter/protocol"
)

// Version is the Debian package's (golang-github-pquerna-otp-dev); set at build time.
var Version = "1.3.0"

var algorithms = map[string]otp.Algorithm{
	"SHA1": otp.AlgorithmSHA1, "SHA256": otp.AlgorithmSHA256, "SHA512": otp.AlgorithmSHA512,
	"MD5": otp.AlgorithmMD5,
}

func options(a protocol.Args) (string, otp.Digits, otp.Algorithm, error) {
	secret, err := a.Str("key_base32", "")
	if err != nil || !a.Has("key") {
		return "", 0, 0, protocol.Unsupported("key: not bytes")
	}
	digits, err := a.Int("digits", 6, protocol.MinI64, protocol.MaxI64)
	if err != nil {
		return "", 0, 0, err
	}
	name, err := a.Str("algorithm", "SHA1")
	if err != nil {
		return "", 0, 0, err
	}
	alg, ok := algorithms[name]
	if !ok {
		return "", 0, 0, protocol.Unsupported("algorithm: no otp.Algorithm constant for " + name)
	}
	return secret, otp.Digits(digits.Int64()), alg, nil
}

func moment(a protocol.Args) (time.Time, error) {
	t0, err := a.Int("t0", 0, nil, nil)
	if err != nil || t0.Sign() != 0 {
		return time.Time{}, protocol.Unsupported("no T0 parameter")
	}
	s, err := a.Int("time", 0, protocol.MinI64, protocol.MaxI64)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(s.Int64(), 0), nil
}

func period(a protocol.Args) (uint, error) {
	p, err := a.Int("period", 30, protocol.Zero, protocol.MaxUint)
	if err != nil {
		return 0, err
	}
	return uint(p.Uint64()), nil
}

func main() {
	protocol.Serve("pquerna-otp", Version, map[string]protocol.Op{
		"hotp": func(a protocol.Args) (interface{}, error) {
			secret, digits, alg, err := options(a)
			if err != nil {
				return nil, err
			}
			c, err := a.Int("counter", 0, protocol.Zero, protocol.MaxU64)
			if err != nil {
				return nil, err
			}
			return hotp.GenerateCodeCustom(secret, c.Uint64(), hotp.ValidateOpts{Digits: digits, Algorithm: alg})
		},
		"totp": func(a protocol.Args) (interface{}, error) {
			secret, digits, alg, err := options(a)
			if err != nil {
				return nil, err
			}
			t, err := moment(a)
			if err != nil {
				return nil, err
			}
			p, err := period(a)
			if err != nil {
				return nil, err
			}
			return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: p, Digits: digits, Algorithm: alg})
		},
		"verify_totp": func(a protocol.Args) (interface{}, error) {
			secret, digits, alg, err := options(a)
			if err != nil {
				return nil, err
			}
			t, err := moment(a)
			if err != nil {
				return nil, err
			}
			p, err := period(a)
			if err != nil {
				return nil, err
			}
			past, future, err := a.Window()
			if err != nil || past != future || past < 0 {
				return nil, protocol.Unsupported("Skew is one unsigned symmetric window")
			}
			token, err := a.Str("token", "")
			if err != nil {
				return nil, err
			}
			ok, err := totp.ValidateCustom(token, secret, t, totp.ValidateOpts{Period: p, Skew: uint(past), Digits: digits, Algorithm: alg})
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, errors.New("ValidateCustom returned false")
			}
			return map[string]interface{}{}, nil
		},
		"verify_hotp": func(a protocol.Args) (interface{}, error) {
			secret, digits, alg, err := options(a)
			if err != nil {
				return nil, err
			}
			if la, err := a.Int("look_ahead", 0, nil, nil); err != nil || la.Sign() != 0 {
				return nil, protocol.Unsupported("no look-ahead")
			}
			c, err := a.Int("counter", 0, protocol.Zero, protocol.MaxU64)
			if err != nil {
				return nil, err
			}
			token, err := a.Str("token", "")
			if err != nil {
				return nil, err
			}
			ok, err := hotp.ValidateCustom(token, c.Uint64(), secret, hotp.ValidateOpts{Digits: digits, Algorithm: alg})
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, errors.New("ValidateCustom returned false")
			}
			return map[string]interface{}{"offset": 0}, nil
		},
		"parse_uri": func(a protocol.Args) (interface{}, error) {
			uri, err := a.Str("uri", "")
			if err != nil {
				return nil, err
			}
			key, err := otp.NewKeyFromURL(uri)
			if err != nil {
				return nil, err
			}
			fields := map[string]interface{}{"type": key.Type(), "issuer": key.Issuer(), "account": key.AccountName()}
			if key.Type() == "totp" {
				fields["period"] = key.Period()
			}
			if secret, err := base32Hex(key.Secret()); err == nil {
				fields["secret_hex"] = secret
			}
			return fields, nil
		},
	})
}

func base32Hex(text string) (string, error) {
	return hexOfBase32(strings.ToUpper(text))
}
