#!/usr/bin/env bash
# courier's test command: formatting, vet, staticcheck, then every test with
# the race detector. Java's interop tests run when java is on PATH.
set -euo pipefail
cd "$(dirname "$0")"

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  printf 'gofmt would change:\n%s\n' "$unformatted"; exit 1
fi
go vet ./...
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
go build ./examples/...
go test -race -count=1 ./...
