package taxii

// ValidateSchema checks data against the embedded OASIS schemas, for
// tests.
func ValidateSchema(s *Service, data []byte) error { return s.schemas.validate(data) }
