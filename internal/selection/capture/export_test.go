package capture

// NewReaderSize is NewReader with a read buffer of size bytes, so that tests
// and fuzzing reach the path for records bigger than the buffer cheaply.
var NewReaderSize = newReader
