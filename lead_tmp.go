package main

import (
	"context"
	"errors"
	"io"
)

var botMessages = map[string][]string{}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("serve: not wired yet")
}
