// xlzd/gotp (Go) for the rfc6238 conformance runner (docs/protocol.md).
//
//	apt-get install golang-go golang-github-xlzd-gotp-dev
//	GO111MODULE=off GOPATH=$PWD/examples/adapters/go:/usr/share/gocode \
//	    go build -o examples/adapters/go/bin/gotp rfc6238adapter/gotp
//	rfc6238 conformance --jsonl 'gotp=examples/adapters/go/bin/gotp'
//
// Mapping: the key as base32 (key_base32), counters and times as Go int (int64), a
// gotp.Hasher per algorithm (crypto/sha1, sha256, sha512); Verify checks one step (window
// 0) or one counter; no T0, no period other than the constructor's interval.
package main

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"hash"

	"github.com/xlzd/gotp"
	"rfc6238adapter/protocol"
)

// Version is the Debian package's (golang-github-xlzd-gotp-dev, a 2018 snapshot).
var Version = "0.0~git20181030.c8557ba"

var hashes = map[string]func() hash.Hash{"SHA1": sha1.New, "SHA256": sha256.New, "SHA512": sha512.New}

func options(a protocol.Args) (string, int, *gotp.Hasher, error) {
	secret, err := a.Str("key_base32", "")
	if err != nil || !a.Has("key") {
		return "", 0, nil, protocol.Unsupported("key: not bytes")
	}
	digits, err := a.Int("digits", 6, protocol.MinI64, protocol.MaxI64)
	if err != nil {
		return "", 0, nil, err
	}
	name, err := a.Str("algorithm", "SHA1")
	if err != nil {
		return "", 0, nil, err
	}
	digest, ok := hashes[name]
	if !ok {
		return "", 0, nil, protocol.Unsupported("algorithm: no Go hash for " + name)
	}
	return secret, int(digits.Int64()), &gotp.Hasher{HashName: name, Digest: digest}, nil
}

func timed(a protocol.Args) (*gotp.TOTP, int, error) {
	secret, digits, hasher, err := options(a)
	if err != nil {
		return nil, 0, err
	}
	if t0, err := a.Int("t0", 0, nil, nil); err != nil || t0.Sign() != 0 {
		return nil, 0, protocol.Unsupported("no T0 parameter")
	}
	p, err := a.Int("period", 30, protocol.MinI64, protocol.MaxI64)
	if err != nil {
		return nil, 0, err
	}
	t, err := a.Int("time", 0, protocol.MinI64, protocol.MaxI64)
	if err != nil {
		return nil, 0, err
	}
	return gotp.NewTOTP(secret, digits, int(p.Int64()), hasher), int(t.Int64()), nil
}

func main() {
	protocol.Serve("gotp", Version, map[string]protocol.Op{
		"hotp": func(a protocol.Args) (interface{}, error) {
			secret, digits, hasher, err := options(a)
			if err != nil {
				return nil, err
			}
			c, err := a.Int("counter", 0, protocol.MinI64, protocol.MaxI64)
			if err != nil {
				return nil, err
			}
			return gotp.NewHOTP(secret, digits, hasher).At(int(c.Int64())), nil
		},
		"totp": func(a protocol.Args) (interface{}, error) {
			otp, t, err := timed(a)
			if err != nil {
				return nil, err
			}
			return otp.At(t), nil
		},
		"verify_totp": func(a protocol.Args) (interface{}, error) {
			if past, future, err := a.Window(); err != nil || past != 0 || future != 0 {
				return nil, protocol.Unsupported("Verify checks one step (window 0)")
			}
			otp, t, err := timed(a)
			if err != nil {
				return nil, err
			}
			token, err := a.Str("token", "")
			if err != nil {
				return nil, err
			}
			if !otp.Verify(token, t) {
				return nil, errors.New("Verify returned false")
			}
			return map[string]interface{}{"offset": 0}, nil
		},
		"verify_hotp": func(a protocol.Args) (interface{}, error) {
			if la, err := a.Int("look_ahead", 0, nil, nil); err != nil || la.Sign() != 0 {
				return nil, protocol.Unsupported("no look-ahead")
			}
			secret, digits, hasher, err := options(a)
			if err != nil {
				return nil, err
			}
			c, err := a.Int("counter", 0, protocol.MinI64, protocol.MaxI64)
			if err != nil {
				return nil, err
			}
			token, err := a.Str("token", "")
			if err != nil {
				return nil, err
			}
			if !gotp.NewHOTP(secret, digits, hasher).Verify(token, int(c.Int64())) {
				return nil, errors.New("Verify returned false")
			}
			return map[string]interface{}{"offset": 0}, nil
		},
	})
}
