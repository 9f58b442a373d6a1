// Package protocol is the JSON-lines protocol of docs/protocol.md for Go adapters: one
// request per line in, one reply per line out. An adapter calls Serve with its operations;
// an operation returns (result, error): an Unsupported error is "unsupported", any other
// error the library returned is a clean rejection ("error"), and a panic is a "crash".
package protocol

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"strings"
)

// Unsupported marks a case the library's API cannot express.
type Unsupported string

func (u Unsupported) Error() string { return string(u) }

// Args are a request's arguments, numbers kept exact (json.Number).
type Args map[string]interface{}

// Op answers one request.
type Op func(Args) (interface{}, error)

// Has tells whether the field is present.
func (a Args) Has(name string) bool { _, ok := a[name]; return ok }

// Int reads an integer field exactly (from FIELD_text), within [lo, hi].
func (a Args) Int(name string, fallback int64, lo, hi *big.Int) (*big.Int, error) {
	raw, ok := a[name]
	if !ok {
		return big.NewInt(fallback), nil
	}
	if _, tagged := raw.(map[string]interface{}); tagged {
		return nil, Unsupported(name + ": a tagged value has no Go form")
	}
	text, _ := a[name+"_text"].(string)
	n, ok := new(big.Int).SetString(text, 10)
	if !ok {
		return nil, Unsupported(name + ": not an integer")
	}
	if (lo != nil && n.Cmp(lo) < 0) || (hi != nil && n.Cmp(hi) > 0) {
		return nil, Unsupported(name + ": outside the Go type of the API")
	}
	return n, nil
}

// Str reads a string field (a tagged value is unsupported: Go's types rule it out).
func (a Args) Str(name, fallback string) (string, error) {
	raw, ok := a[name]
	if !ok {
		return fallback, nil
	}
	s, ok := raw.(string)
	if !ok {
		return "", Unsupported(name + ": not a string")
	}
	return s, nil
}

// Window is the [past, future] pair of a verify_totp case.
func (a Args) Window() (int64, int64, error) {
	raw, ok := a["window"]
	if !ok {
		return 1, 1, nil
	}
	if n, ok := raw.(json.Number); ok {
		v, err := n.Int64()
		return v, v, err
	}
	if pair, ok := raw.([]interface{}); ok && len(pair) == 2 {
		p, ok1 := pair[0].(json.Number)
		f, ok2 := pair[1].(json.Number)
		if ok1 && ok2 {
			pv, e1 := p.Int64()
			fv, e2 := f.Int64()
			if e1 == nil && e2 == nil {
				return pv, fv, nil
			}
		}
	}
	return 0, 0, Unsupported("window: not an int or a pair")
}

// Small bounds for Int.
var (
	Zero    = big.NewInt(0)
	MaxU64  = new(big.Int).SetUint64(^uint64(0))
	MaxI64  = big.NewInt(int64(^uint64(0) >> 1))
	MinI64  = new(big.Int).Neg(new(big.Int).Add(MaxI64, big.NewInt(1)))
	MaxI32  = big.NewInt(1<<31 - 1)
	MaxUint = big.NewInt(1<<32 - 1)
)

func call(op Op, args Args) (result interface{}, err error, crash string) {
	defer func() {
		if r := recover(); r != nil {
			crash = fmt.Sprintf("panic: %v", r)
		}
	}()
	result, err = op(args)
	return result, err, ""
}

// Serve runs the protocol loop until standard input ends.
func Serve(name, version string, ops map[string]Op) {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		var req struct {
			ID   string `json:"id"`
			Op   string `json:"op"`
			Args Args   `json:"args"`
		}
		reply := map[string]interface{}{}
		if err := dec.Decode(&req); err != nil {
			reply["id"], reply["crash"] = "", "bad request: "+err.Error()
			_ = out.Encode(reply)
			continue
		}
		reply["id"] = req.ID
		switch op, known := ops[req.Op]; {
		case req.Op == "hello":
			reply["result"] = map[string]string{"name": name, "version": version}
		case req.Op == "echo":
			reply["result"] = req.Args
		case !known:
			reply["unsupported"] = "no " + req.Op + " operation"
		default:
			result, err, crash := call(op, req.Args)
			switch {
			case crash != "":
				reply["crash"] = crash
			case err != nil:
				if u, ok := err.(Unsupported); ok {
					reply["unsupported"] = string(u)
				} else {
					reply["error"] = err.Error()
				}
			default:
				reply["result"] = result
			}
		}
		_ = out.Encode(reply)
	}
}
