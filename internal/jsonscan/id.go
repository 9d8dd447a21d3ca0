package jsonscan

import "bytes"

// LeadingID returns the JSON-RPC id of a message from its first bytes
// alone (prefix may stop anywhere): the raw value of the top-level "id"
// key (matched regardless of case, as the server reads it) when that key
// and its value, a string or a number, come whole before prefix ends. Most
// clients write the id before the params, so an oversized request can
// still be answered to its id; otherwise ok is false (answer with null).
func LeadingID(prefix []byte) (id []byte, ok bool) {
	d := prefix
	i := SkipSpace(d, 0)
	if i >= len(d) || d[i] != '{' {
		return nil, false
	}
	i = SkipSpace(d, i+1)
	var name []byte
	for i < len(d) && d[i] == '"' {
		end, err := ScanString(d, i)
		if err != nil {
			return nil, false
		}
		name = AppendUnquoted(name[:0], d[i+1:end-1])
		i = SkipSpace(d, end)
		if i >= len(d) || d[i] != ':' {
			return nil, false
		}
		i = SkipSpace(d, i+1)
		if i >= len(d) {
			return nil, false
		}
		if bytes.EqualFold(name, []byte("id")) {
			var end int
			var err error
			switch c := d[i]; {
			case c == '"':
				end, err = ScanString(d, i)
			case c == '-' || '0' <= c && c <= '9':
				end, err = ScanNumber(d, i)
				// A number cut by the prefix's end may be longer.
				if err == nil && end == len(d) {
					return nil, false
				}
			default:
				return nil, false
			}
			if err != nil {
				return nil, false
			}
			return d[i:end], true
		}
		if i = SkipValue(d, i); i < 0 {
			return nil, false
		}
		i = SkipSpace(d, i)
		if i >= len(d) || d[i] != ',' {
			return nil, false
		}
		i = SkipSpace(d, i+1)
	}
	return nil, false
}

// SkipValue returns the offset just past the value at d[i], or -1 if d
// ends first or it is not JSON. Nesting is only counted, never recursed.
func SkipValue(d []byte, i int) int {
	depth := 0
	for i < len(d) {
		switch c := d[i]; {
		case c == '"':
			end, err := ScanString(d, i)
			if err != nil {
				return -1
			}
			i = end
		case c == '{' || c == '[':
			depth++
			i++
			continue
		case c == '}' || c == ']':
			depth--
			i++
		case c == ',' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if depth == 0 {
				return -1
			}
			i++
			continue
		default:
			// A number or literal: up to the next delimiter.
			j := i
			for j < len(d) && bytes.IndexByte([]byte(",:]} \t\r\n"), d[j]) < 0 {
				j++
			}
			if j == len(d) {
				return -1
			}
			i = j
		}
		if depth <= 0 {
			if depth < 0 {
				return -1
			}
			return i
		}
	}
	return -1
}
