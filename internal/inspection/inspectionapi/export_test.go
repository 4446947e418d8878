package inspectionapi

import "net/http"

// The request-body decoders, for the fuzz tests.
var (
	DecodeInspection     = decodeInspection
	DecodeRecommendation = decodeRecommendation
	DecodeAssessment     = decodeAssessment
	DecodeHandlingError  = decodeHandlingError
	DecodeClassification = decodeClassification
)

// Decode is the strict decoder of the bodies without times.
func Decode[T any](r *http.Request) (T, error) { return decode[T](r) }
