package store

import (
	"fmt"
	"strings"
)

// Applicants: who applies, and the checks of their certificates.

// Applicant kinds and certificate types.
const (
	CertIDCard     = "idCard"     // 居民身份证 (natural persons)
	CertCreditCode = "creditCode" // 统一社会信用代码 (legal persons and other organisations)
)

// Applicant is who applies: a natural person or an organisation.
type Applicant struct {
	// UserID is the applicant's account, "" for a walk-in without one.
	UserID string `json:"userId,omitempty"`
	Name   string `json:"name" example:"李明"`
	// Kind is naturalPerson or legalPerson.
	Kind string `json:"kind" example:"naturalPerson"`
	// CertType is idCard (natural persons) or creditCode (organisations); CertNo the number.
	CertType string `json:"certType" example:"idCard"`
	CertNo   string `json:"certNo" example:"450981199001011230"`
	Phone    string `json:"phone,omitempty" example:"13800000001"`
}

// Check validates the applicant's kind and certificate; field prefixes the field names.
func (a *Applicant) Check(field string) error {
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		return Invalid(field+"name", "is required")
	}
	switch a.Kind {
	case ObjectNaturalPerson:
		if a.CertType == "" {
			a.CertType = CertIDCard
		}
		if a.CertType != CertIDCard {
			return Invalid(field+"certType", "a natural person identifies with an idCard")
		}
		a.CertNo = strings.ToUpper(a.CertNo)
		if err := CheckIDCard(a.CertNo); err != nil {
			return Invalid(field+"certNo", "%v", err)
		}
	case ObjectLegalPerson:
		if a.CertType == "" {
			a.CertType = CertCreditCode
		}
		if a.CertType != CertCreditCode {
			return Invalid(field+"certType", "an organisation identifies with its creditCode (统一社会信用代码)")
		}
		a.CertNo = strings.ToUpper(a.CertNo)
		if err := CheckCreditCode(a.CertNo); err != nil {
			return Invalid(field+"certNo", "%v", err)
		}
	default:
		return Invalid(field+"kind", "must be one of %s", strings.Join(ServiceObjects, ", "))
	}
	return nil
}

const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// CheckCreditCode reports whether s is a valid unified social credit code (GB 32100-2015): 18
// characters of 0-9 and upper-case letters but I, O, S, V and Z, the last a check character
// equal to 31 - (Σ value×weight mod 31), 0 for 31.
func CheckCreditCode(s string) error {
	if len(s) != 18 {
		return fmt.Errorf("a unified social credit code has 18 characters, got %d", len([]rune(s)))
	}
	weights := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 18; i++ {
		v := strings.IndexByte(creditAlphabet, s[i])
		if v < 0 {
			return fmt.Errorf("character %d of a unified social credit code must be a digit or one of the letters %s", i+1, creditAlphabet[10:])
		}
		if i < 17 {
			sum += v * weights[i]
		}
	}
	want := (31 - sum%31) % 31
	if s[17] != creditAlphabet[want] {
		return fmt.Errorf("the check character of the unified social credit code is %c but should be %c", s[17], creditAlphabet[want])
	}
	return nil
}
