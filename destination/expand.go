package destination

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxSecretFile bounds what file:PATH reads: a password file is tiny, and
// file:/dev/zero must not hang or exhaust memory.
const maxSecretFile = 64 << 10

// expandVars replaces every ${NAME} in s with the variable's value, looked
// up by lookup (WithVars, then the environment). $${ is an escape for a
// literal ${. The result is not expanded again, so values may hold "${".
// Error messages name the variable but never repeat the rest of s, which may
// be a password.
func expandVars(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		if i > 0 && s[i-1] == '$' { // $${ → literal ${
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return "", errors.New("unterminated ${: close it with }, or write $${ for a literal ${")
		}
		name := s[i+2 : i+2+end]
		if !validVarName(name) {
			return "", errors.New("invalid variable name in ${...}: use letters, digits, '_', '.' and '-', or write $${ for a literal ${")
		}
		v, ok := lookup(name)
		if !ok {
			return "", fmt.Errorf("%w ${%s}: define it in the environment, or pass it with --var NAME=VALUE (WithVars in Go)", ErrUndefinedVar, name)
		}
		b.WriteString(v)
		if b.Len() > MaxSize {
			return "", fmt.Errorf("expands to more than %d bytes; check the variables it uses", MaxSize)
		}
		s = s[i+2+end+1:]
	}
}

func validVarName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isIdentByte(c) || c == '$' {
			return false
		}
	}
	return true
}

// resolveSecret turns a password field's (already expanded) value into a
// Secret: env:NAME takes a variable's value, file:PATH a file's contents
// minus one trailing newline, anything else is the password itself. The
// prefixes are case-sensitive; a password that really starts with "env:" or
// "file:" has to come from env: or file:.
func resolveSecret(value string, s *parseSettings) (Secret, error) {
	switch {
	case strings.HasPrefix(value, "env:"):
		name := value[len("env:"):]
		if name == "" {
			return Secret{}, errors.New("env: needs a variable name, as in env:KEYSTORE_PASS")
		}
		v, ok := s.lookup(name)
		if !ok {
			return Secret{}, fmt.Errorf("%w %s (from env:%s): define it in the environment, or pass it with --var NAME=VALUE (WithVars in Go)", ErrUndefinedVar, name, name)
		}
		return NewSecret(v), nil
	case strings.HasPrefix(value, "file:"):
		path := value[len("file:"):]
		if path == "" {
			return Secret{}, errors.New("file: needs a path, as in file:keystore.pass")
		}
		b, err := readSecretFile(resolvePath(s.dir, path))
		if err != nil {
			return Secret{}, fmt.Errorf("%w; check the path (relative paths resolve against %s)", err, dirName(s.dir))
		}
		return newSecretBytes(b), nil
	}
	return NewSecret(value), nil
}

// readSecretFile reads a password file, trimming one trailing newline (as
// `echo pass > file` leaves). Errors name the file, never its content.
func readSecretFile(path string) ([]byte, error) {
	if err := checkRegular(path); err != nil {
		return nil, fmt.Errorf("read password file: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read password file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		clear(b)
		return nil, fmt.Errorf("read password file: %w", err)
	}
	if len(b) > maxSecretFile {
		clear(b)
		return nil, fmt.Errorf("read password file %s: larger than %d bytes; is it the right file?", path, maxSecretFile)
	}
	switch {
	case len(b) >= 2 && b[len(b)-2] == '\r' && b[len(b)-1] == '\n':
		b = b[:len(b)-2]
	case len(b) >= 1 && b[len(b)-1] == '\n':
		b = b[:len(b)-1]
	}
	return b, nil
}

// dirName describes dir in messages about relative paths.
func dirName(dir string) string {
	if dir == "" {
		return "the working directory"
	}
	return dir
}
