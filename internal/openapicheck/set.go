package openapicheck

import (
	"context"
	"errors"
	"net/http"

	"github.com/getkin/kin-openapi/routers"
)

// Set validates exchanges against several of Ada's documents at once: Ada publishes the Data
// Export API (testdata/ada-openapi/ada-data-export-openapi.yml) apart from the rest of the
// Platform API (ada-knowledge-openapi.yml), under the same server URL. Each exchange is checked
// against the document that declares its path; one that none declares is checked against the
// first document (and so is a route violation there).
type Set struct {
	validators []*Validator
}

// LoadSet loads each document as Load does (with its own exceptions), in order.
func LoadSet(paths ...string) (*Set, error) {
	if len(paths) == 0 {
		return nil, errors.New("openapicheck: LoadSet needs at least one document")
	}
	s := &Set{}
	for _, p := range paths {
		v, err := Load(p)
		if err != nil {
			return nil, err
		}
		s.validators = append(s.validators, v)
	}
	return s, nil
}

// For returns the validator of the document that declares the request's path (with any
// method), else the first one.
func (s *Set) For(r *http.Request) *Validator {
	for _, v := range s.validators {
		req := r.Clone(context.Background())
		req.URL.Path = documentedSpelling(r.Method, r.URL.Path)
		req.URL.RawPath = ""
		_, _, err := v.router.FindRoute(req)
		if err == nil || errors.Is(err, routers.ErrMethodNotAllowed) {
			return v
		}
	}
	return s.validators[0]
}

// Check validates one exchange against the document that declares its path.
func (s *Set) Check(ctx context.Context, ex Exchange) []*Violation {
	return s.For(ex.Request).Check(ctx, ex)
}

// CheckRequest validates a request alone against the document that declares its path.
func (s *Set) CheckRequest(ctx context.Context, req *http.Request, body []byte) []*Violation {
	return s.For(req).CheckRequest(ctx, req, body)
}

// Middleware is Validator.Middleware over the set.
func (s *Set) Middleware(next http.Handler, report func(error)) http.Handler {
	return middleware(next, report, s.Check)
}

// Title is the document's info.title ("Knowledge" for the Platform API, "Data Export").
func (v *Validator) Title() string {
	if v.doc.Info == nil {
		return ""
	}
	return v.doc.Info.Title
}
