package destination

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secretText = "hunter2-changeit"

// redactedConfig is a Config with every password set to secretText.
func redactedConfig() *Config {
	s := NewSecret(secretText)
	return &Config{
		URL: "https://partner.example.com/in", KeystoreFile: "client.jks",
		KeystorePass: s, KeyPass: s, TruststorePass: s, Username: "neo", Password: s,
	}
}

func TestSecretRedactsEveryVerb(t *testing.T) {
	s := NewSecret(secretText)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-20v"} {
		t.Run(verb, func(t *testing.T) {
			got := fmt.Sprintf(verb, s)
			assert.NotContains(t, got, secretText)
			assert.Contains(t, got, "[REDACTED]")
		})
	}
	assert.Equal(t, "[REDACTED]", s.String())
	assert.Equal(t, "[REDACTED]", s.GoString())
	assert.Equal(t, "[REDACTED]", fmt.Sprint(&s), "a *Secret redacts too")
}

func TestSecretUnsetPrintsEmpty(t *testing.T) {
	var s Secret
	assert.False(t, s.IsSet())
	assert.Empty(t, s.String())
	assert.Empty(t, fmt.Sprintf("%+v", s))
	b, err := json.Marshal(s)
	require.NoError(t, err)
	assert.JSONEq(t, `""`, string(b))
}

func TestSecretEmptyPasswordIsSet(t *testing.T) {
	s := NewSecret("")
	assert.True(t, s.IsSet())
	assert.Equal(t, "[REDACTED]", s.String())
	assert.Empty(t, s.Bytes())
}

func TestSecretBytesIsACopy(t *testing.T) {
	s := NewSecret(secretText)
	b := s.Bytes()
	clear(b)
	assert.Equal(t, []byte(secretText), s.Bytes())
}

func TestSecretDestroyZeroesCopies(t *testing.T) {
	s := NewSecret("abc")
	cp := s
	s.Destroy()
	assert.False(t, s.IsSet())
	assert.Equal(t, []byte{0, 0, 0}, cp.Bytes(), "copies share the bytes, which are zeroed")
}

func TestConfigPrintsNoPassword(t *testing.T) {
	cfg := redactedConfig()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		got := fmt.Sprintf(verb, cfg)
		assert.NotContains(t, got, secretText, verb)
		assert.Contains(t, got, "[REDACTED]", verb)
		got = fmt.Sprintf(verb, *cfg)
		assert.NotContains(t, got, secretText, verb)
	}
}

func TestConfigJSONHasNoPassword(t *testing.T) {
	b, err := json.Marshal(redactedConfig())
	require.NoError(t, err)
	assert.NotContains(t, string(b), secretText)
	var back map[string]any
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, "[REDACTED]", back["KeystorePass"])
}

func TestConfigSlogHasNoPassword(t *testing.T) {
	cfg := redactedConfig()
	handlers := map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	}
	for name, newHandler := range handlers {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(newHandler(&buf))
			log.Info("config", "cfg", cfg, "value", *cfg, "pass", cfg.KeystorePass, "group", slog.GroupValue(slog.Any("p", cfg.Password)))
			assert.NotContains(t, buf.String(), secretText)
			assert.Contains(t, buf.String(), "[REDACTED]")
		})
	}
}
