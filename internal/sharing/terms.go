package sharing

import (
	"crypto/sha256"
	"encoding/hex"
)

// Terms are the terms an operator or vendor accepts to join the council:
// the duty of secrecy of council affairs and its penalty (§82). A consent
// records the Version and SHA256 of the terms the user was shown, so that
// a change of the text is never accepted unseen.
type Terms struct {
	Version string `json:"version"`
	Text    string `json:"text"`
	TextJA  string `json:"text_ja"`
	// SHA256 is the hex SHA-256 of Version, Text and TextJA, each followed
	// by a line feed.
	SHA256 string `json:"sha256"`
}

const (
	termsVersion = "2025-1"
	termsText    = `Duty of secrecy of the council (Act on Active Cyber Defense for Critical Infrastructure, ch.9 and §82).

1. A person who is or was engaged in the affairs of the council shall not leak or misuse any secret learned in those affairs.
2. Anyone who leaks or misuses such a secret is punished by imprisonment for not more than two years or a fine of not more than one million yen (§82).
3. Information shared in the council is handled under its TLP 2.0 marking and the clearance it requires. TLP:AMBER information may be passed on only to another council member, through ACD, where it is recorded; TLP:AMBER+STRICT and TLP:RED information may not be passed on at all.
4. Every read of information that is not TLP:CLEAR is recorded in ACD's audit log.
5. The organisation may withdraw its consent at any time; its membership ends at once, and the duty of secrecy continues.`
	termsTextJA = `協議会の守秘義務（サイバー対処能力強化法 第9章及び第82条）

1. 協議会の事務に従事する者又は従事していた者は、その事務に関して知り得た秘密を漏らし、又は盗用してはならない。
2. これに違反して秘密を漏らし、又は盗用した者は、2年以下の拘禁刑又は100万円以下の罰金に処せられる（第82条）。
3. 協議会で共有される情報は、そのTLP 2.0の区分及び求められるクリアランスに従って取り扱う。TLP:AMBERの情報は、ACDを通じ記録の上、他の構成員にのみ転送できる。TLP:AMBER+STRICT及びTLP:REDの情報は転送できない。
4. TLP:CLEAR以外の情報の閲覧は、すべてACDの監査ログに記録される。
5. 組織はいつでも同意を撤回でき、その時点で構成員資格を失う。守秘義務は撤回後も継続する。`
)

// CurrentTerms returns the terms in force.
func CurrentTerms() Terms {
	t := Terms{Version: termsVersion, Text: termsText, TextJA: termsTextJA}
	h := sha256.Sum256([]byte(t.Version + "\n" + t.Text + "\n" + t.TextJA + "\n"))
	t.SHA256 = hex.EncodeToString(h[:])
	return t
}
