package inspectionapi

// The request-body decoders, for the fuzz tests.
var (
	DecodeInspection     = decodeInspection
	DecodeRecommendation = decodeRecommendation
	DecodeAssessment     = decodeAssessment
	DecodeHandlingError  = decodeHandlingError
	DecodeClassification = decodeClassification
)
