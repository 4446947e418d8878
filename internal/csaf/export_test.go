package csaf

// CVSS3Base exposes cvss3Base to the tests.
var CVSS3Base = cvss3Base
