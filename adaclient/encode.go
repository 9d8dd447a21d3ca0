package adaclient

import (
	"bytes"
	"encoding/json"
)

// marshal is json.Marshal without HTML escaping, for request bodies and for
// measuring them against Ada's limits: Ada reads JSON, not HTML, and "<"
// written as \u003c is six bytes where Ada counts one (an article of HTML
// would be refused at a third of its 100 KB, and sent three times larger).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
