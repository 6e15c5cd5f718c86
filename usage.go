package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// errUsage marks an error in how a command was called: run prints it as
// one line and exits 2.
var errUsage = errors.New("usage")

// usageError is a mistake in a command's flags or arguments, said in one
// line that tells how to fix it.
type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == errUsage }

// usagef makes a usageError; the message says what is wrong and what to do.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// parseFlags parses a subcommand's flags. -h prints the command's usage to
// stdout and returns flag.ErrHelp; a flag the command does not know, a
// value it cannot read, or an argument it does not take is a usageError
// that points to -h (the flag package's own multi-line output is not
// printed).
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return err
	}
	if err != nil {
		return usagef("%v (run 'redress %s -h' for its flags)", err, fs.Name())
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (run 'redress %s -h' for its flags)", fs.Arg(0), fs.Name())
	}
	return nil
}

// parseFlagsAndArgs parses a command's flags, which may come before or
// after its other arguments (`redress lint a.yaml --papers DIR`), and
// returns those arguments in order. Help and errors are handled as
// parseFlags handles them.
func parseFlagsAndArgs(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	fs.SetOutput(io.Discard)
	var rest []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return nil, err
		}
		if err != nil {
			return nil, usagef("%v (run 'redress %s -h' for its flags)", err, fs.Name())
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
