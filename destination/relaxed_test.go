package destination

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// neoExample is the destination from NEO's docs, character for character.
const neoExample = `{'url': 'https://partner.example.com/in', 'method': 'POST', 'params': {'message': '%{payload}'}, 'keystoreFile': 'client.jks', 'keystorePass': 'changeit', 'truststoreFile': 'trust.jks', 'truststorePass': 'changeit'}`

// relaxedCases are documents every parse mode but Strict accepts; the fuzz
// target starts from them too.
var relaxedCases = []struct {
	name  string
	src   string
	check func(t *testing.T, c *Config)
}{
	{name: "NEO example with single quotes", src: neoExample, check: func(t *testing.T, c *Config) {
		assert.Equal(t, "https://partner.example.com/in", c.URL)
		assert.Equal(t, "POST", c.Method)
		assert.Equal(t, map[string]string{"message": "%{payload}"}, c.Params)
		assert.Equal(t, "client.jks", c.KeystoreFile)
		assert.Equal(t, []byte("changeit"), c.KeystorePass.Bytes())
		assert.Equal(t, "trust.jks", c.TruststoreFile)
		assert.Equal(t, []byte("changeit"), c.TruststorePass.Bytes())
	}},
	{name: "unquoted keys", src: `{url: 'https://x.example/in', keystoreFile: 'client.jks', keystorePass: 'p', params: {a.b: 'x', x-y: 'z', $v: 1, _u: 2}}`,
		check: func(t *testing.T, c *Config) {
			assert.Equal(t, "client.jks", c.KeystoreFile)
			assert.Equal(t, map[string]string{"a.b": "x", "x-y": "z", "$v": "1", "_u": "2"}, c.Params)
		}},
	{name: "quoted true", src: `{url: 'https://x.example', insecureSkipVerify: 'true'}`,
		check: func(t *testing.T, c *Config) { assert.True(t, c.InsecureSkipVerify) }},
	{name: "double-quoted TRUE", src: `{url: 'https://x.example', insecureSkipVerify: "TRUE"}`,
		check: func(t *testing.T, c *Config) { assert.True(t, c.InsecureSkipVerify) }},
	{name: "quoted false", src: `{url: 'https://x.example', insecureSkipVerify: 'false'}`,
		check: func(t *testing.T, c *Config) { assert.False(t, c.InsecureSkipVerify) }},
	{name: "mixed-case keys", src: `{URL: 'https://x.example', Method: 'get', Keystorefile: 'client.jks', KEYSTOREPASS: 'p', Retry: {MAXATTEMPTS: 2}}`,
		check: func(t *testing.T, c *Config) {
			assert.Equal(t, "https://x.example", c.URL)
			assert.Equal(t, "GET", c.Method)
			assert.Equal(t, "client.jks", c.KeystoreFile)
			assert.Equal(t, 2, c.Retry.MaxAttempts)
		}},
	{name: "trailing commas", src: "{url: 'https://x.example', params: {a: '1', b: '2',}, headers: {X-A: 'v',},}",
		check: func(t *testing.T, c *Config) {
			assert.Equal(t, map[string]string{"a": "1", "b": "2"}, c.Params)
			assert.Equal(t, map[string]string{"X-A": "v"}, c.Headers)
		}},
	{name: "comments", src: "// partner A\n{ /* where */ url: 'https://x.example', // the endpoint\n method: /* GET is for tests */ 'POST' }\n// end",
		check: func(t *testing.T, c *Config) { assert.Equal(t, "POST", c.Method) }},
	{name: "comment markers inside strings", src: `{url: 'https://x.example/a//b/*c*/'}`,
		check: func(t *testing.T, c *Config) { assert.Equal(t, "https://x.example/a//b/*c*/", c.URL) }},
	{name: "strict JSON", src: `{"url": "https://x.example", "params": {"m": "%{payload}"}, "timeout": 5}`,
		check: func(t *testing.T, c *Config) { assert.Equal(t, 5e9, float64(c.Timeout)) }},
	{name: "escapes", src: `{url: 'https://x.example', headers: {A: 'it\'s', B: "say \"hi\"", C: '\u00e9\t\/', D: "\ud83d\ude00", E: "\ud800x"}}`,
		check: func(t *testing.T, c *Config) {
			assert.Equal(t, map[string]string{"A": "it's", "B": `say "hi"`, "C": "é\t/", "D": "😀", "E": "\uFFFDx"}, c.Headers)
		}},
	{name: "byte order mark", src: "\uFEFF{url: 'https://x.example'}",
		check: func(t *testing.T, c *Config) { assert.Equal(t, "https://x.example", c.URL) }},
	{name: "numbers and booleans as param text", src: `{url: 'https://x.example', params: {n: 42, f: -1.5e3, b: true, z: 0}}`,
		check: func(t *testing.T, c *Config) {
			assert.Equal(t, map[string]string{"n": "42", "f": "-1.5e3", "b": "true", "z": "0"}, c.Params)
		}},
	{name: "null is absent", src: `{url: 'https://x.example', keystoreFile: null, method: null, retry: null}`,
		check: func(t *testing.T, c *Config) { assert.Empty(t, c.KeystoreFile) }},
	{name: "empty params is none", src: `{url: 'https://x.example', params: {}}`,
		check: func(t *testing.T, c *Config) { assert.Nil(t, c.Params) }},
	{name: "raw tab in a relaxed string", src: "{url: 'https://x.example', headers: {A: 'a\tb'}}",
		check: func(t *testing.T, c *Config) { assert.Equal(t, "a\tb", c.Headers["A"]) }},
	{name: "CRLF line endings", src: "{\r\n  url: 'https://x.example',\r\n  method: 'GET'\r\n}\r\n",
		check: func(t *testing.T, c *Config) { assert.Equal(t, "GET", c.Method) }},
}

func TestParseRelaxedForms(t *testing.T) {
	dir := dirWithFiles(t, "client.jks", "trust.jks")
	for _, tt := range relaxedCases {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tt.src), WithDir(dir), noEnv)
			require.NoError(t, err)
			tt.check(t, cfg)
		})
	}
}

// syntaxCases are documents with one syntax error each, at a known place.
var syntaxCases = []struct {
	name         string
	src          string
	strict       bool
	line, column int
	msg          string // the whole message when set
}{
	{name: "missing comma", src: "{'url': 'https://x',\n 'method': 'POST' 'a': 1}", line: 2, column: 19, msg: "expected ',' or '}' after value"},
	{name: "string runs into end of line", src: "{\n  url: 'https://x\n}", line: 2, column: 8, msg: "unterminated string: close the quote before the end of the line"},
	{name: "string runs into end of input", src: "{'a': 'b", line: 1, column: 7, msg: "unterminated string: the closing quote is missing"},
	{name: "unquoted value", src: "{method: POST}", line: 1, column: 10},
	{name: "capitalised literal", src: "{insecureSkipVerify: True}", line: 1, column: 22},
	{name: "missing colon", src: "{url 'x'}", line: 1, column: 6, msg: `expected ':' after key "url"`},
	{name: "empty input", src: "", line: 1, column: 1},
	{name: "only whitespace", src: "\n\n  ", line: 3, column: 3},
	{name: "not an object", src: " [1]", line: 1, column: 2},
	{name: "a bare string", src: `"x"`, line: 1, column: 1},
	{name: "text after the object", src: "{} x", line: 1, column: 4, msg: "unexpected text after the closing '}'"},
	{name: "duplicate key ignoring case", src: "{url: 'a',\n URL: 'b'}", line: 2, column: 2, msg: `duplicate key "URL" (first on line 1); give each key once`},
	{name: "duplicate nested key", src: "{params: {a: 1, 'a': 2}}", line: 1, column: 17},
	{name: "invalid escape", src: `{'a': 'x\q'}`, line: 1, column: 9},
	{name: "short unicode escape", src: `{'a': '\u12'}`, line: 1, column: 8},
	{name: "control character", src: "{'a': 'x\x01'}", line: 1, column: 9},
	{name: "invalid UTF-8", src: "{'a': '\xff'}", line: 1, column: 8},
	{name: "columns count characters", src: "{'ä': 'é' 'x'}", line: 1, column: 11},
	{name: "tab is one column", src: "{\t\tx}", line: 1, column: 5},
	{name: "CRLF counts one line", src: "{\r\n'a': 1\r\n'b': 2}", line: 3, column: 1},
	{name: "unit outside quotes", src: "{timeout: 30s}", line: 1, column: 11, msg: "invalid number; put values like 30s in quotes"},
	{name: "leading zero", src: "{timeout: 030}", line: 1, column: 11, msg: "invalid number: no leading zeros"},
	{name: "bare minus", src: "{timeout: -}", line: 1, column: 11},
	{name: "end inside object", src: "{'a': 1", line: 1, column: 8},
	{name: "end after colon", src: "{'a':", line: 1, column: 6},
	{name: "lone comma", src: "{,}", line: 1, column: 2},
	{name: "double comma", src: "{a: 1,,}", line: 1, column: 7},
	{name: "unterminated comment", src: "{/* x", line: 1, column: 2},
	{name: "array missing comma", src: "{a: [1 2]}", line: 1, column: 8, msg: "expected ',' or ']' after value"},
	{name: "too deep", src: "{a:" + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + "}", line: 1, column: 4 + MaxDepth - 1},
	{name: "strict: single quotes", strict: true, src: `{'a': 1}`, line: 1, column: 2},
	{name: "strict: unquoted key", strict: true, src: `{a: 1}`, line: 1, column: 2},
	{name: "strict: trailing comma", strict: true, src: `{"a": 1,}`, line: 1, column: 9},
	{name: "strict: trailing comma in array", strict: true, src: `{"a": [1,]}`, line: 1, column: 10},
	{name: "strict: comment", strict: true, src: "{// c\n\"a\": 1}", line: 1, column: 2},
	{name: "strict: escaped single quote", strict: true, src: `{"a": "it\'s"}`, line: 1, column: 10},
	{name: "strict: raw tab", strict: true, src: "{\"a\": \"x\ty\"}", line: 1, column: 9},
	{name: "strict: exact duplicate", strict: true, src: `{"a": 1, "a": 2}`, line: 1, column: 10},
}

func TestParseSyntaxErrors(t *testing.T) {
	for _, tt := range syntaxCases {
		t.Run(tt.name, func(t *testing.T) {
			opts := []ParseOption{noEnv}
			if tt.strict {
				opts = append(opts, Strict())
			}
			_, err := Parse([]byte(tt.src), opts...)
			require.ErrorIs(t, err, ErrInvalid)
			se, ok := errors.AsType[*SyntaxError](err)
			require.True(t, ok, "want a *SyntaxError, got %v", err)
			assert.Equal(t, tt.line, se.Line, "line")
			assert.Equal(t, tt.column, se.Column, "column")
			if tt.msg != "" {
				assert.Equal(t, tt.msg, se.Msg)
			}
		})
	}
}

// TestSyntaxErrorsNeverQuoteValues: a syntax error in or near a password
// must not print it.
func TestSyntaxErrorsNeverQuoteValues(t *testing.T) {
	for _, src := range []string{
		`{keystorePass: hunter2}`,
		`{keystorePass: 'hunter2\q'}`,
		"{keystorePass: 'hunter2\n'}",
		`{keystorePass: 'hunter2`,
		`{keystorePass: 'x' hunter2}`,
		`{keystorePass: 7hunter2}`,
	} {
		_, err := Parse([]byte(src), noEnv)
		require.Error(t, err, src)
		assert.NotContains(t, err.Error(), "hunter2", src)
	}
}

func TestStrictNeedsExactKeys(t *testing.T) {
	_, err := Parse([]byte(`{"URL": "https://x.example"}`), Strict(), noEnv)
	fe := requireFieldError(t, err, "URL")
	assert.ErrorIs(t, fe, ErrUnknownField)
	_, err = Parse([]byte(`{"url": "https://x.example", "insecureSkipVerify": "true"}`), Strict(), noEnv)
	require.NoError(t, err, "Strict is about syntax and key case; values read the same")
}

// TestParserAgreesWithEncodingJSON: whatever the strict parser accepts,
// encoding/json accepts too, with the same values.
func TestParserAgreesWithEncodingJSON(t *testing.T) {
	src := `{"a": [1, -2.5e+3, true, false, null, "x\u00e9\n", {"b": []}], "c": {}}`
	n, err := parseJSON([]byte(src), true)
	require.NoError(t, err)
	var want any
	require.NoError(t, json.Unmarshal([]byte(src), &want))
	assert.Equal(t, want, nodeToAny(n))
}

// nodeToAny converts a parsed tree the way encoding/json decodes into any.
func nodeToAny(n *jsonNode) any {
	switch n.kind {
	case kindBool:
		return n.text == "true"
	case kindNumber:
		var f float64
		_ = json.Unmarshal([]byte(n.text), &f)
		return f
	case kindString:
		return n.text
	case kindArray:
		out := []any{}
		for _, e := range n.elems {
			out = append(out, nodeToAny(e))
		}
		return out
	case kindObject:
		out := map[string]any{}
		for _, m := range n.members {
			out[m.key] = nodeToAny(m.value)
		}
		return out
	}
	return nil
}

// TestParseHostileInputs: inputs built to exhaust the stack, the memory or
// the reader of the report are refused quickly with ordinary errors.
func TestParseHostileInputs(t *testing.T) {
	t.Run("deep nesting", func(t *testing.T) {
		_, err := Parse([]byte("{a:"+strings.Repeat("[", MaxSize/2)), noEnv)
		se, ok := errors.AsType[*SyntaxError](err)
		require.True(t, ok, "%v", err)
		assert.Equal(t, 4+MaxDepth-1, se.Column)
	})
	t.Run("thousands of unknown keys", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{url: 'https://x.example'")
		for i := 0; b.Len() < MaxSize/4; i++ {
			fmt.Fprintf(&b, ", keystorFile%d: 'a'", i)
		}
		b.WriteString("}")
		_, err := Parse([]byte(b.String()), noEnv)
		require.ErrorIs(t, err, ErrInvalid)
		assert.Len(t, fieldErrors(t, err), maxReported)
		assert.ErrorAs(t, err, new(moreProblems))
		assert.Less(t, len(err.Error()), 8<<10, "the report stays readable")
	})
	t.Run("variables that multiply", func(t *testing.T) {
		src := "{url: 'https://x.example', headers: {A: '" + strings.Repeat("${BIG}", 2000) + "'}}"
		_, err := Parse([]byte(src), envOf(map[string]string{"BIG": strings.Repeat("x", 1000)}))
		requireFieldError(t, err, "headers.A")
	})
	t.Run("long unknown key", func(t *testing.T) {
		_, err := Parse([]byte("{"+strings.Repeat("k", 100000)+": 1}"), noEnv)
		require.ErrorIs(t, err, ErrUnknownField)
		assert.Less(t, len(err.Error()), 1000)
		_, err = Parse([]byte("{"+strings.Repeat("k", 100000)+" 1}"), noEnv)
		require.ErrorIs(t, err, ErrInvalid)
		assert.Less(t, len(err.Error()), 1000)
	})
}
