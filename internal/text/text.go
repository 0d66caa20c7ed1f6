// Package text holds the string helpers that messages shown to users share.
// It is a leaf package: every layer may import it.
package text

import "strings"

// OneLine folds a message onto one line: every run of white space, newlines
// included, becomes one space, and leading and trailing space is dropped.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Shorten cuts s to at most max bytes, without splitting a UTF-8 sequence,
// and marks the cut with an ellipsis.
func Shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
