package main

import (
	"encoding/base32"
	"encoding/hex"
	"strings"
)

// hexOfBase32 decodes the secret the way pquerna/otp itself does (unpadded standard
// encoding), only to report it as hex.
func hexOfBase32(text string) (string, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(text, "="))
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(raw), nil
}
