package destination

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ParseOption configures Load, Read and Parse. An option that cannot apply
// (a nil func, an empty dir) makes them fail before reading anything.
type ParseOption interface {
	apply(*parseSettings) error
}

type parseOptionFunc func(*parseSettings) error

func (f parseOptionFunc) apply(s *parseSettings) error { return f(s) }

// parseSettings is what the options set.
type parseSettings struct {
	vars      map[string]string
	lookupEnv func(string) (string, bool)
	dir       string // absolute, or "" for the working directory
	strict    bool
}

// lookup finds a variable for ${NAME} and env:NAME: the caller's vars first,
// then the environment.
func (s *parseSettings) lookup(name string) (string, bool) {
	if v, ok := s.vars[name]; ok {
		return v, true
	}
	return s.lookupEnv(name)
}

// WithVars gives values for ${NAME} and env:NAME, checked before the
// environment. Several WithVars merge; a later one wins for the same name.
func WithVars(vars map[string]string) ParseOption {
	return parseOptionFunc(func(s *parseSettings) error {
		if s.vars == nil {
			s.vars = make(map[string]string, len(vars))
		}
		for k, v := range vars {
			s.vars[k] = v
		}
		return nil
	})
}

// WithLookupEnv replaces os.LookupEnv as the environment that ${NAME} and
// env:NAME read, so tests need not change the process's environment.
func WithLookupEnv(fn func(string) (string, bool)) ParseOption {
	return parseOptionFunc(func(s *parseSettings) error {
		if fn == nil {
			return errors.New("destination: WithLookupEnv: nil func; leave the option out for os.LookupEnv")
		}
		s.lookupEnv = fn
		return nil
	})
}

// WithDir sets the folder relative paths resolve against (file paths and
// file:PATH passwords); it becomes Config.Dir, made absolute. Without it,
// Read and Parse leave Dir empty (the working directory) and Load uses the
// JSON file's folder; an explicit WithDir wins over Load's choice.
func WithDir(dir string) ParseOption {
	return parseOptionFunc(func(s *parseSettings) error {
		if dir == "" {
			return errors.New(`destination: WithDir: empty dir; use "." for the working directory`)
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return fmt.Errorf("destination: WithDir: %w", err)
		}
		s.dir = abs
		return nil
	})
}

// Strict accepts only RFC 8259 JSON with keys in their exact case
// ("keystoreFile", not "KeystoreFile"): no single quotes, unquoted keys,
// trailing commas or comments. Values are read as in relaxed mode ("true" is
// still true for insecureSkipVerify, a number still counts as seconds).
func Strict() ParseOption {
	return parseOptionFunc(func(s *parseSettings) error {
		s.strict = true
		return nil
	})
}

func newParseSettings(opts []ParseOption) (*parseSettings, error) {
	s := &parseSettings{lookupEnv: os.LookupEnv}
	for _, o := range opts {
		if err := o.apply(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Load reads the destination JSON file at path: Read with the file's folder
// (absolute) as Config.Dir, so relative keystore paths resolve next to the
// JSON. Errors opening or reading the file wrap the fs error.
func Load(path string, opts ...ParseOption) (*Config, error) {
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	// A FIFO or device would block the open or never end.
	if err := checkRegular(path); err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	defer f.Close()
	return Read(f, append([]ParseOption{WithDir(dir)}, opts...)...)
}

// Read reads at most MaxSize bytes of destination JSON from r and parses
// them like Parse.
func Read(r io.Reader, opts ...ParseOption) (*Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("destination: read: %w", err)
	}
	return Parse(data, opts...)
}

// Parse reads a destination from JSON, expands it, normalises it and
// validates it (see Validate). It reports every problem at once: a
// *SyntaxError for JSON that cannot be read, or else an errors.Join of
// *FieldError in file order (at most 25, then a count). Every error
// satisfies errors.Is(err, ErrInvalid).
//
// Syntax. Strict JSON, and the relaxed form integration platforms write:
// 'single-quoted' strings (with \' inside), unquoted keys made of letters,
// digits, _ $ - and ., trailing commas, // and /* */ comments, and a UTF-8
// byte order mark. Keys match fields case-insensitively (KEYSTOREFILE is
// keystoreFile), so two keys that differ only in case are a duplicate, and
// any duplicate is an error. Input is limited to MaxSize bytes and MaxDepth
// levels of nesting. Strict() turns all of this off.
//
// Values. null means the field is absent. An unknown key is an error that
// suggests the closest field. headers and params are objects whose values
// are strings, or numbers and booleans taken as their text. A password may
// also be a number. timeout, retry.waitMin and retry.waitMax are a Go
// duration ("30s", "1m30s") or a number of seconds (30, 0.5, "30"), and must
// be positive. retry.maxAttempts is a whole number from 1 to 100.
// insecureSkipVerify is true only for true or "true" (any case), false only
// for false or "false": anything else is an error.
//
// Expansion. In every string value (not in keys), ${NAME} is replaced by the
// variable's value: from WithVars, else the environment (WithLookupEnv).
// An undefined variable is an error; $${ stands for a literal ${, and values
// are not expanded twice. Then a password field (keystorePass,
// truststorePass, keyPass, password) that reads env:NAME takes that
// variable's value, and one that reads file:PATH takes that file's contents
// minus one trailing newline; a relative PATH resolves against the Dir.
func Parse(data []byte, opts ...ParseOption) (*Config, error) {
	s, err := newParseSettings(opts)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, &tooLargeError{limit: MaxSize}
	}
	root, err := parseJSON(data, s.strict)
	if err != nil {
		return nil, err
	}
	d := newDecoder(s)
	cfg := d.decode(root)
	cfg.Dir = s.dir
	errs := append(d.errs, cfg.validate(d.broken)...)
	if len(errs) > 0 {
		d.sortErrors(errs)
		if len(errs) > maxReported {
			errs = append(errs[:maxReported], moreProblems(len(errs)-maxReported))
		}
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}
