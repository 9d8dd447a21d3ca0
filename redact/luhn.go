package redact

// Payment card detection.
//
// A card number is 13–19 digits that pass the Luhn check, written either as
// one digit run or as groups joined by a single space or a single dash
// (one separator kind per number, as in "4111 1111 1111 1111"). The rules
// below exist to keep ordinary identifiers intact:
//
//   - A run glued to a letter, digit, '_' or '+' is not a card. This keeps
//     24-hex ids ("65a1f0c2..."), UUIDs and words with digits intact, and
//     "+" marks international phone numbers.
//   - A run that continues a decimal number ("0.1234567890123456") is not a
//     card.
//   - Ungrouped runs longer than 19 digits are ids or big numbers, not
//     cards; ISO timestamps and phone numbers of at most 12 digits can never
//     reach 13 digits in one group chain.
//   - In grouped form every group must have 3–6 digits (all printed card
//     layouts: 4-4-4-4, 4-6-5, 4-6-4, 4-4-4-4-3). This stops lists of small
//     numbers ("10 20 30 40 50 60 70") from being read as one long number,
//     and lets a card be found when it is followed by more digits
//     ("4111 1111 1111 1111 2026"): every window of consecutive groups is
//     tried, longest first.
//
// A Luhn-valid run of 13–19 digits that is not an id by the rules above is
// redacted even if it is something else (about one random number in ten
// passes Luhn); over-redaction is the safe failure.

// maxGroups bounds the groups examined per run; longer runs are scanned in
// pieces, which only matters for pathological input.
const maxGroups = 32

type group struct{ start, end int }

// cardSpans appends the spans of the card numbers in s.
func cardSpans(s string, spans []span) []span {
	// Fast exit: most strings (ids, timestamps, prose) have fewer digits
	// than the shortest card.
	digits := 0
	for i := 0; i < len(s) && digits < 13; i++ {
		if isDigit(s[i]) {
			digits++
		}
	}
	if digits < 13 {
		return spans
	}
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		i, spans = scanRun(s, i, spans)
	}
	return spans
}

// unglued returns s as the card rules would read it once the secrets at
// secrets and the credentials at creds are replaced, with the same
// length: a credential becomes ',' throughout, as its placeholder would
// stand there; in a secret only what would glue a card to it (a letter,
// '_', '+', '.') becomes ',', and its digits and separators stay, since
// they may be the card's own ("1881zq7w" for a card ending in 1881). ok
// is false when that changes nothing.
func unglued(s string, secrets, creds []span) (string, bool) {
	var b []byte // a copy of s, made at the first change
	set := func(i int, c byte) {
		if s[i] == c {
			return
		}
		if b == nil {
			b = []byte(s)
		}
		b[i] = c
	}
	for _, sp := range secrets {
		for i := sp.start; i < sp.end; i++ {
			if c := s[i]; !isDigit(c) && isWordByte(c) || c == '+' || c == '.' {
				set(i, ',')
			}
		}
	}
	for _, sp := range creds {
		for i := sp.start; i < sp.end; i++ {
			set(i, ',')
		}
	}
	if b == nil {
		return s, false
	}
	return string(b), true
}

// nextGroup returns the end of the digit group starting at s[j] and, when
// the run continues with the same separator kind, the start of the next
// group (else -1) and the separator in force.
func nextGroup(s string, j int, sep byte) (end, next int, nsep byte) {
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j+1 < len(s) && isDigit(s[j+1]) && (s[j] == ' ' || s[j] == '-') && (sep == 0 || sep == s[j]) {
		return j, j + 1, s[j]
	}
	return j, -1, sep
}

// scanRun parses the run of digit groups starting at s[start] (a digit),
// appends the spans of any card numbers in it and returns the index just
// past the run.
func scanRun(s string, start int, spans []span) (int, []span) {
	// Measure first: runs with fewer than 13 digits (hex ids are full of
	// them) are skipped without filling the group table.
	end, digits := start, 0
	for j, sep := start, byte(0); j >= 0; {
		gs := j
		end, j, sep = nextGroup(s, j, sep)
		digits += end - gs
	}
	if digits < 13 {
		return end, spans
	}

	var groups [maxGroups]group
	n := 0
	for j, sep := start, byte(0); j >= 0 && n < maxGroups; {
		gs := j
		end, j, sep = nextGroup(s, j, sep)
		groups[n] = group{gs, end}
		n++
	}

	// Drop groups glued to a word or to a decimal number on either side.
	first, last := 0, n-1
	if start > 0 {
		p := s[start-1]
		if isWordByte(p) || p == '+' || p == '.' && start > 1 && isDigit(s[start-2]) {
			first++
		}
	}
	if end < len(s) {
		c := s[end]
		if isWordByte(c) || c == '.' && end+1 < len(s) && isDigit(s[end+1]) {
			last--
		}
	}

	// Single long groups: the common "4111111111111111" form, also when it
	// sits inside a longer dash/space chain.
	for g := first; g <= last; g++ {
		if d := groups[g].end - groups[g].start; d >= 13 && d <= 19 && luhn(s[groups[g].start:groups[g].end]) {
			spans = append(spans, span{groups[g].start, groups[g].end})
		}
	}

	// Grouped form: windows over chains of 3–6 digit groups.
	for a := first; a <= last; {
		best := -1
		digits := 0
		for b := a; b <= last; b++ {
			d := groups[b].end - groups[b].start
			if d < 3 || d > 6 {
				break
			}
			digits += d
			if digits > 19 {
				break
			}
			if digits >= 13 && luhn(s[groups[a].start:groups[b].end]) {
				best = b
			}
		}
		if best >= 0 {
			spans = append(spans, span{groups[a].start, groups[best].end})
			a = best + 1
		} else {
			a++
		}
	}
	return end, spans
}

// luhn reports whether the digits of s (other bytes ignored) pass the Luhn
// checksum.
func luhn(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if !isDigit(c) {
			continue
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// isCardNumber reports whether s, the decimal form of a JSON number, is a
// plain 13–19 digit Luhn-valid integer.
func isCardNumber(s string) bool {
	if len(s) < 13 || len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return luhn(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordByte(c byte) bool {
	return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'z' || c == '_'
}
