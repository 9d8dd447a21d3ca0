package schemagen

import "github.com/invopop/jsonschema"

// hoistTypedKeywords moves keywords that apply to one type (maxLength on a
// string, maximum on a number, maxItems on an array) from a node with an
// anyOf into the branch of that type: a nullable string tagged maxLength
// reflects as {anyOf:[string, null], maxLength}, which means the same but
// which strict validators (ajv strict, the Inspector's lint) reject as a
// keyword without its type.
func hoistTypedKeywords(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	if len(s.AnyOf) > 0 {
		for _, b := range s.AnyOf {
			switch b.Type {
			case "string":
				b.MaxLength, b.MinLength = firstOf(b.MaxLength, s.MaxLength), firstOf(b.MinLength, s.MinLength)
				b.Pattern, b.Format = orString(b.Pattern, s.Pattern), orString(b.Format, s.Format)
			case "number", "integer":
				b.Maximum, b.Minimum = orNumber(b.Maximum, s.Maximum), orNumber(b.Minimum, s.Minimum)
				b.ExclusiveMaximum, b.ExclusiveMinimum = orNumber(b.ExclusiveMaximum, s.ExclusiveMaximum), orNumber(b.ExclusiveMinimum, s.ExclusiveMinimum)
				b.MultipleOf = orNumber(b.MultipleOf, s.MultipleOf)
			case "array":
				b.MaxItems, b.MinItems = firstOf(b.MaxItems, s.MaxItems), firstOf(b.MinItems, s.MinItems)
			}
		}
		s.MaxLength, s.MinLength, s.Pattern, s.Format = nil, nil, "", ""
		s.Maximum, s.Minimum, s.ExclusiveMaximum, s.ExclusiveMinimum, s.MultipleOf = "", "", "", "", ""
		s.MaxItems, s.MinItems = nil, nil
	}
	for _, b := range s.AnyOf {
		hoistTypedKeywords(b)
	}
	for _, b := range s.OneOf {
		hoistTypedKeywords(b)
	}
	for _, b := range s.AllOf {
		hoistTypedKeywords(b)
	}
	hoistTypedKeywords(s.Items)
	hoistTypedKeywords(s.AdditionalProperties)
	if s.Properties != nil {
		for p := s.Properties.Oldest(); p != nil; p = p.Next() {
			hoistTypedKeywords(p.Value)
		}
	}
	for _, d := range s.Definitions {
		hoistTypedKeywords(d)
	}
}

func firstOf(a, b *uint64) *uint64 {
	if a != nil {
		return a
	}
	return b
}

func orString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func orNumber[N ~string](a, b N) N {
	if a != "" {
		return a
	}
	return b
}
