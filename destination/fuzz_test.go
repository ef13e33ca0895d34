package destination

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds the parser and the whole Parse pipeline arbitrary bytes,
// starting from every document the other tests use. Neither may panic, and
// what they report must be consistent.
func FuzzParse(f *testing.F) {
	for _, c := range relaxedCases {
		f.Add([]byte(c.src))
	}
	for _, c := range syntaxCases {
		f.Add([]byte(c.src))
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"url": "https://x.example", "headers": {"A": "${A}"}, "keystorePass": "env:A", "password": "file:p"}`))

	dir := f.TempDir()
	opts := []ParseOption{WithDir(dir), envOf(map[string]string{"A": "x"})}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data, opts)
		checkParse(t, data, append(opts, Strict()))
		checkStrictParserAgreesWithEncodingJSON(t, data)
	})
}

// checkParse: an error xor a Config; every error is ErrInvalid with sane
// positions; a Config prints without panicking.
func checkParse(t *testing.T, data []byte, opts []ParseOption) {
	cfg, err := Parse(data, opts...)
	if (cfg == nil) == (err == nil) {
		t.Fatalf("Parse returned config %v and error %v", cfg, err)
	}
	if err != nil {
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("error is not ErrInvalid: %v", err)
		}
		if se, ok := errors.AsType[*SyntaxError](err); ok && (se.Line < 1 || se.Column < 1 || se.Msg == "") {
			t.Fatalf("bad syntax error position: %#v", se)
		}
		_ = err.Error()
		return
	}
	_ = fmt.Sprintf("%+v %#v", cfg, cfg)
	if err := cfg.Validate(); err != nil {
		t.Fatalf("a parsed Config fails Validate: %v", err)
	}
}

// checkStrictParserAgreesWithEncodingJSON: what the strict parser accepts
// is valid JSON with the same values; valid JSON it refuses is refused for
// one of our own limits.
func checkStrictParserAgreesWithEncodingJSON(t *testing.T, data []byte) {
	n, err := parseJSON(data, true)
	body := bytes.TrimPrefix(data, []byte("\uFEFF"))
	valid := json.Valid(body)
	if err == nil {
		if !valid {
			t.Fatalf("strict parser accepted invalid JSON %q", data)
		}
		var want any
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if got := nodeToAny(n); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("values differ:\n got %v\nwant %v", got, want)
		}
		return
	}
	if valid {
		msg := err.(*SyntaxError).Msg
		for _, ours := range []string{"duplicate key", "nested deeper", "invalid UTF-8", "expected '{'", "empty input"} {
			if strings.HasPrefix(msg, ours) {
				return
			}
		}
		t.Fatalf("strict parser refused valid JSON %q: %v", data, err)
	}
}
