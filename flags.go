package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/internal/suggest"
)

// parseFlags parses args into fs and prints fs's usage only when asked
// for it (-h, --help). A mistake comes back as one error naming the flag
// (and the flag it is likely a typo of) for the caller to print: the flag
// package would print it, then the whole usage, which buries it in a
// host's log, and the caller then printed it again.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return err
	case err != nil:
		return flagMistake(fs, err)
	}
	return nil
}

var (
	undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	badFlagValue  = regexp.MustCompile(`^invalid value (".*") for flag -([^:]+): `)
)

// flagMistake rewords the flag package's errors as the other usage errors
// read: the flag with its two dashes, what was wrong, where to look.
func flagMistake(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if m := undefinedFlag.FindStringSubmatch(msg); m != nil {
		if near := nearestFlag(fs, m[1]); near != "" {
			return fmt.Errorf("unknown flag --%s: did you mean --%s? (see --help)", m[1], near)
		}
		return fmt.Errorf("unknown flag --%s (see --help)", m[1])
	}
	if m := badFlagValue.FindStringSubmatch(msg); m != nil {
		// A value without Get (flag.Func's, say) is no duration.
		if f := fs.Lookup(m[2]); f != nil {
			if g, ok := f.Value.(flag.Getter); ok {
				if _, ok := g.Get().(time.Duration); ok {
					return fmt.Errorf("--%s: %s is not a duration such as 30s or 500ms", m[2], m[1])
				}
			}
		}
	}
	return fmt.Errorf("%s (see --help)", strings.Replace(msg, " -", " --", 1))
}

// nearestFlag is the defined flag name within two edits of name, if one is.
func nearestFlag(fs *flag.FlagSet, name string) string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return suggest.Nearest(name, names, 3)
}
