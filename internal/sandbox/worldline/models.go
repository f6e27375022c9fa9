package worldline

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strings"
	"sync"

	"github.com/bokuctl/bokuctl/pkg/money"
)

// Request models, field for field as Worldline's Go SDK 0.1.0 defines
// them (apiv1/domain/*.go), written for the fake rather than shared with
// bokuctl's client. Strict decoding refuses any other field at any depth,
// and a value of the wrong JSON type. Enum values come from the SDKs'
// docstrings where they name them; every other limit is marked
// [inferred] here and in docs/sandbox.md.

// dccData is DccData.
type dccData struct {
	Amount           *int64      `json:"amount"`
	ConversionRate   *rateNumber `json:"conversionRate"`
	CurrencyCode     string      `json:"currencyCode"`
	NumberOfDecimals *int32      `json:"numberOfDecimals"`
}

// merchantData is MerchantData; customerServiceData, paymentFacilitatorId,
// subMerchantId and taxId are the newer SDKs' (Python SDK's merchant_data.py).
type merchantData struct {
	Address              string               `json:"address"`
	City                 string               `json:"city"`
	CountryCode          string               `json:"countryCode"`
	CustomerServiceData  *customerServiceData `json:"customerServiceData"`
	MerchantCategoryCode *int32               `json:"merchantCategoryCode"`
	Name                 string               `json:"name"`
	PaymentFacilitatorID string               `json:"paymentFacilitatorId"`
	PostalCode           string               `json:"postalCode"`
	StateCode            string               `json:"stateCode"`
	SubMerchantID        string               `json:"subMerchantId"`
	TaxID                string               `json:"taxId"`
}

// customerServiceData is CustomerServiceData (newer SDKs).
type customerServiceData struct {
	CustomerServiceEmail       string `json:"customerServiceEmail"`
	CustomerServicePhoneNumber string `json:"customerServicePhoneNumber"`
	CustomerServiceURL         string `json:"customerServiceUrl"`
}

// terminalData is TerminalData (newer SDKs: a request's terminalData).
type terminalData struct {
	AllowSingleTap                   *bool    `json:"allowSingleTap"`
	CardReadingCapabilities          []string `json:"cardReadingCapabilities"`
	CardholderActivatedTerminalLevel string   `json:"cardholderActivatedTerminalLevel"`
	IsAttendedTerminal               *bool    `json:"isAttendedTerminal"`
	IsOfflineApproved                *bool    `json:"isOfflineApproved"`
	MposDevice                       string   `json:"mposDevice"`
	OfflineAuthorizationResponseCode string   `json:"offlineAuthorizationResponseCode"`
	PinEntryCapability               string   `json:"pinEntryCapability"`
	TerminalID                       string   `json:"terminalId"`
	TerminalLocation                 string   `json:"terminalLocation"`
}

// amountBreakdownData is AmountBreakdownData (newer SDKs' ApiPaymentRequest).
type amountBreakdownData struct {
	CashbackAmount *amountData `json:"cashbackAmount"`
	TipAmount      *amountData `json:"tipAmount"`
}

// captureAmountBreakdownData is CaptureAmountBreakdownData (newer SDKs'
// ApiCaptureRequest).
type captureAmountBreakdownData struct {
	TipAmount *amountData `json:"tipAmount"`
}

// marketplaceData is MarketplaceData (newer SDKs' ApiCaptureRequest).
type marketplaceData struct {
	RetailerCountryCode string `json:"retailerCountryCode"`
	RetailerName        string `json:"retailerName"`
}

// serviceLocationData is ServiceLocationData (newer SDKs'
// CardPaymentData; its shape from the Java SDK, the Python index lacking
// service_location_data.py).
type serviceLocationData struct {
	Address        *serviceLocationAddress `json:"address"`
	GeoCoordinates *geoCoordinates         `json:"geoCoordinates"`
}

type serviceLocationAddress struct {
	City                   string `json:"city"`
	CountryCode            string `json:"countryCode"`
	CountrySubdivisionCode string `json:"countrySubdivisionCode"`
	PostalCode             string `json:"postalCode"`
}

// geoCoordinates is GeoCoordinates: decimal degrees, JSON numbers.
type geoCoordinates struct {
	Latitude  *float64 `json:"latitude"`
	Longitude *float64 `json:"longitude"`
}

// emvDataItem is EmvDataItem: a tag and its base64 value.
type emvDataItem struct {
	Tag   string `json:"tag"`
	Value string `json:"value"`
}

// paymentReferences is PaymentReferences (0.1.0 still has
// retrievalReferenceNumber, which the newer SDKs dropped; the fake keeps
// accepting it for 0.1.0 clients).
type paymentReferences struct {
	DynamicDescriptor        string `json:"dynamicDescriptor"`
	MerchantReference        string `json:"merchantReference"`
	RetrievalReferenceNumber string `json:"retrievalReferenceNumber"`
}

type addressVerificationData struct {
	CardholderAddress    string `json:"cardholderAddress"`
	CardholderPostalCode string `json:"cardholderPostalCode"`
}

type threeDSecure struct {
	AuthenticationValue          string `json:"authenticationValue"`
	DirectoryServerTransactionID string `json:"directoryServerTransactionId"`
	Eci                          string `json:"eci"`
	ThreeDSecureType             string `json:"threeDSecureType"`
	Version                      string `json:"version"`
}

// ecommerceData is ECommerceData (payments).
type ecommerceData struct {
	AddressVerificationData *addressVerificationData `json:"addressVerificationData"`
	ScaExemptionRequest     string                   `json:"scaExemptionRequest"`
	ThreeDSecure            *threeDSecure            `json:"threeDSecure"`
}

// ecommerceDataForVerification is ECommerceDataForAccountVerification:
// no scaExemptionRequest.
type ecommerceDataForVerification struct {
	AddressVerificationData *addressVerificationData `json:"addressVerificationData"`
	ThreeDSecure            *threeDSecure            `json:"threeDSecure"`
}

func (e *ecommerceDataForVerification) full() *ecommerceData {
	if e == nil {
		return nil
	}
	return &ecommerceData{AddressVerificationData: e.AddressVerificationData, ThreeDSecure: e.ThreeDSecure}
}

type initialCardOnFileData struct {
	FutureUse       string `json:"futureUse"`
	TransactionType string `json:"transactionType"`
}

// subsequentCardOnFileData is SubsequentCardOnFileData;
// initialSchemeTransactionLinkId is the newer SDKs' (go@2.0.0).
type subsequentCardOnFileData struct {
	CardOnFileInitiator            string `json:"cardOnFileInitiator"`
	InitialSchemeTransactionID     string `json:"initialSchemeTransactionId"`
	InitialSchemeTransactionLinkID string `json:"initialSchemeTransactionLinkId"`
	TransactionType                string `json:"transactionType"`
}

type cardOnFileData struct {
	InitialCardOnFileData    *initialCardOnFileData    `json:"initialCardOnFileData"`
	IsInitialTransaction     *bool                     `json:"isInitialTransaction"`
	SubsequentCardOnFileData *subsequentCardOnFileData `json:"subsequentCardOnFileData"`
}

type networkTokenData struct {
	Cryptogram string `json:"cryptogram"`
	Eci        string `json:"eci"`
}

// pointOfSaleData is PointOfSaleData: 0.1.0's terminalId (which the
// newer SDKs moved to terminalData) and the newer SDKs' emvData,
// encryptedPinBlock, isResponseToPinRequest,
// isRetryWithTheSameOperationId, pinMasterKeyReference and track2Data
// (go@2.0.0 PointOfSaleData.go). The Python SDK's later onlinePinData is
// not modelled (refused as unknown).
type pointOfSaleData struct {
	EmvData                       []emvDataItem `json:"emvData"`
	EncryptedPinBlock             string        `json:"encryptedPinBlock"`
	IsResponseToPinRequest        *bool         `json:"isResponseToPinRequest"`
	IsRetryWithTheSameOperationID *bool         `json:"isRetryWithTheSameOperationId"`
	PinMasterKeyReference         string        `json:"pinMasterKeyReference"`
	TerminalID                    string        `json:"terminalId"`
	Track2Data                    string        `json:"track2Data"`
}

// cardPaymentData is CardPaymentData (process payment).
type cardPaymentData struct {
	AllowPartialApproval         *bool                `json:"allowPartialApproval"`
	Brand                        string               `json:"brand"`
	BrandSelector                string               `json:"brandSelector"`
	CaptureImmediately           *bool                `json:"captureImmediately"`
	CardData                     *cardData            `json:"cardData"`
	CardEntryMode                string               `json:"cardEntryMode"`
	CardOnFileData               *cardOnFileData      `json:"cardOnFileData"`
	CardholderVerificationMethod string               `json:"cardholderVerificationMethod"`
	EcommerceData                *ecommerceData       `json:"ecommerceData"`
	NetworkTokenData             *networkTokenData    `json:"networkTokenData"`
	PointOfSaleData              *pointOfSaleData     `json:"pointOfSaleData"`
	ServiceLocationData          *serviceLocationData `json:"serviceLocationData"`
	WalletID                     string               `json:"walletId"`
}

// cardPaymentDataForRefund is CardPaymentDataForRefund (standalone
// refund); brandSelector and cardholderVerificationMethod are the newer
// SDKs'.
type cardPaymentDataForRefund struct {
	Brand                        string            `json:"brand"`
	BrandSelector                string            `json:"brandSelector"`
	CaptureImmediately           *bool             `json:"captureImmediately"`
	CardData                     *cardData         `json:"cardData"`
	CardEntryMode                string            `json:"cardEntryMode"`
	CardholderVerificationMethod string            `json:"cardholderVerificationMethod"`
	NetworkTokenData             *networkTokenData `json:"networkTokenData"`
	PointOfSaleData              *pointOfSaleData  `json:"pointOfSaleData"`
	WalletID                     string            `json:"walletId"`
}

// cardPaymentDataForVerification is CardPaymentDataForVerification;
// brandSelector and pointOfSaleData are the newer SDKs'.
type cardPaymentDataForVerification struct {
	Brand                        string                        `json:"brand"`
	BrandSelector                string                        `json:"brandSelector"`
	CardData                     *cardData                     `json:"cardData"`
	CardEntryMode                string                        `json:"cardEntryMode"`
	CardOnFileData               *cardOnFileData               `json:"cardOnFileData"`
	CardholderVerificationMethod string                        `json:"cardholderVerificationMethod"`
	EcommerceData                *ecommerceDataForVerification `json:"ecommerceData"`
	NetworkTokenData             *networkTokenData             `json:"networkTokenData"`
	PointOfSaleData              *pointOfSaleData              `json:"pointOfSaleData"`
	WalletID                     string                        `json:"walletId"`
}

// cardPaymentDataForBalanceInquiry is CardPaymentDataForBalanceInquiry:
// balance inquiries are not in SDK 0.1.0; the fields are the newer SDKs'
// (Python SDK's card_payment_data_for_balance_inquiry.py), whose
// ecommerceData is ECommerceData.
type cardPaymentDataForBalanceInquiry struct {
	Brand                        string           `json:"brand"`
	BrandSelector                string           `json:"brandSelector"`
	CardData                     *cardData        `json:"cardData"`
	CardEntryMode                string           `json:"cardEntryMode"`
	CardholderVerificationMethod string           `json:"cardholderVerificationMethod"`
	EcommerceData                *ecommerceData   `json:"ecommerceData"`
	PointOfSaleData              *pointOfSaleData `json:"pointOfSaleData"`
	WalletID                     string           `json:"walletId"`
}

var (
	// cardholderVerificationMethods: the SDKs' CardPaymentData docstring.
	cardholderVerificationMethods = []string{"NONE", "CARD_SECURITY_CODE", "THREE_DS", "SIGNATURE", "ONLINE_PIN", "OFFLINE_PIN", "CARDHOLDER_DEVICE"}
	// scaExemptions: the SDKs' ECommerceData docstring.
	scaExemptions = []string{"LOW_VALUE_PAYMENT", "SCA_DELEGATION", "SECURE_CORPORATE_PAYMENT", "TRANSACTION_RISK_ANALYSIS", "TRUSTED_BENEFICIARY", "AUTHENTICATION_OUTAGE"}

	eciPattern     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{2}$`) })
	countryPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([A-Z]{2}|[0-9]{3})$`) })
	rrnPattern     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9A-Za-z]{12}$`) })
	walletPattern  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{3}$`) })
	versionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+\.[0-9]+(\.[0-9]+)?$`) })
	binPattern     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{6,12}$`) })
)

// when is msg if cond holds, else "".
func when(cond bool, msg string) string {
	if cond {
		return msg
	}
	return ""
}

func oneOf(field, v string, values []string) string {
	if v == "" {
		return ""
	}
	for _, ok := range values {
		if v == ok {
			return ""
		}
	}
	return fmt.Sprintf("%s %q is not one of %s", field, v, strings.Join(values, ", "))
}

// checkMerchant validates MerchantData. countryCode: ISO 3166 alpha-2 or
// numeric [inferred]; merchantCategoryCode: a 4-digit MCC [inferred].
func checkMerchant(m *merchantData) string {
	switch {
	case m == nil:
		return ""
	case m.CountryCode != "" && !countryPattern().MatchString(m.CountryCode):
		return "merchant.countryCode must be an ISO 3166 country code"
	case m.MerchantCategoryCode != nil && (*m.MerchantCategoryCode < 0 || *m.MerchantCategoryCode > 9999):
		return "merchant.merchantCategoryCode must be a 4-digit MCC"
	}
	return ""
}

// checkReferences validates PaymentReferences: retrievalReferenceNumber
// is 12 alphanumerics, as ISO 8583 field 37 and the docs' example
// [inferred].
func checkReferences(r *paymentReferences) string {
	if r != nil && r.RetrievalReferenceNumber != "" && !rrnPattern().MatchString(r.RetrievalReferenceNumber) {
		return "references.retrievalReferenceNumber must be 12 alphanumeric characters"
	}
	return ""
}

// checkEcommerce validates ECommerceData. A threeDSecure needs its
// authenticationValue: the SDK docstring says a transaction without the
// CAVV/AAV "should not be flagged as 3D Secure" (refused [inferred]).
func checkEcommerce(e *ecommerceData) string {
	if e == nil {
		return ""
	}
	const p = "cardPaymentData.ecommerceData."
	if msg := oneOf(p+"scaExemptionRequest", e.ScaExemptionRequest, scaExemptions); msg != "" {
		return msg
	}
	if a := e.AddressVerificationData; a != nil && a.CardholderAddress == "" && a.CardholderPostalCode == "" {
		return p + "addressVerificationData needs cardholderAddress or cardholderPostalCode"
	}
	if t := e.ThreeDSecure; t != nil {
		switch {
		case t.AuthenticationValue == "":
			return p + "threeDSecure.authenticationValue is required"
		case t.Eci != "" && !eciPattern().MatchString(t.Eci):
			return p + "threeDSecure.eci must be 2 digits"
		case t.Version != "" && !versionPattern().MatchString(t.Version):
			return p + "threeDSecure.version must look like 2.2.0"
		}
	}
	return ""
}

// threeDSFailed: an ECI of 07 (Visa, Amex, JCB, …) or 00 (Mastercard)
// means the cardholder was not authenticated [inferred]; the fake
// declines such a payment.
func threeDSFailed(e *ecommerceData) bool {
	return e != nil && e.ThreeDSecure != nil && (e.ThreeDSecure.Eci == "07" || e.ThreeDSecure.Eci == "00")
}

// checkCardOnFile validates CardOnFileData: isInitialTransaction is
// required; an initial transaction has no subsequentCardOnFileData and a
// subsequent one needs its initialSchemeTransactionId and no
// initialCardOnFileData [inferred].
func checkCardOnFile(c *cardOnFileData) string {
	const p = "cardPaymentData.cardOnFileData."
	switch {
	case c == nil:
		return ""
	case c.IsInitialTransaction == nil:
		return p + "isInitialTransaction is required"
	case *c.IsInitialTransaction && c.SubsequentCardOnFileData != nil:
		return p + "subsequentCardOnFileData is only for isInitialTransaction false"
	case !*c.IsInitialTransaction && c.InitialCardOnFileData != nil:
		return p + "initialCardOnFileData is only for isInitialTransaction true"
	case !*c.IsInitialTransaction && (c.SubsequentCardOnFileData == nil || c.SubsequentCardOnFileData.InitialSchemeTransactionID == ""):
		return p + "subsequentCardOnFileData.initialSchemeTransactionId is required when isInitialTransaction is false"
	}
	return ""
}

// checkCardExtras validates what surrounds cardData in every
// CardPaymentData variant. terminalId: at most 8 characters, as ISO 8583
// field 41 [inferred]; walletId: 3 digits, as every value the docstring
// lists [inferred]; networkTokenData needs its cryptogram [inferred].
func checkCardExtras(cvm, wallet string, nt *networkTokenData, pos *pointOfSaleData) string {
	const p = "cardPaymentData."
	if msg := oneOf(p+"cardholderVerificationMethod", cvm, cardholderVerificationMethods); msg != "" {
		return msg
	}
	if wallet != "" && !walletPattern().MatchString(wallet) {
		return p + "walletId must be 3 digits (e.g. 103 Apple Pay, 216 Google Pay)"
	}
	if nt != nil && nt.Cryptogram == "" {
		return p + "networkTokenData.cryptogram is required"
	}
	if nt != nil && nt.Eci != "" && !eciPattern().MatchString(nt.Eci) {
		return p + "networkTokenData.eci must be 2 digits"
	}
	return checkPointOfSale(pos)
}

// checkPointOfSale validates PointOfSaleData. terminalId is optional
// (the newer SDKs' PointOfSaleData has none) and at most 8 characters,
// as ISO 8583 field 41 [inferred]; an emvData item needs its tag and a
// base64 value (the docstring: "EMV value encoded in base64"; both
// required [inferred]).
func checkPointOfSale(pos *pointOfSaleData) string {
	const p = "cardPaymentData.pointOfSaleData."
	if pos == nil {
		return ""
	}
	if len(pos.TerminalID) > 8 {
		return p + "terminalId must be at most 8 characters"
	}
	for i, e := range pos.EmvData {
		if _, err := base64.StdEncoding.DecodeString(e.Value); e.Tag == "" || e.Value == "" || err != nil {
			return fmt.Sprintf("%semvData[%d] needs a tag and a base64 value", p, i)
		}
	}
	return ""
}

var (
	// mposDevices and pinEntryCapabilities: the newer SDKs' TerminalData
	// docstrings.
	mposDevices          = []string{"MPOS_TERMINAL_WITH_PCI_DONGLE", "COMMERCIAL_OFF_THE_SHELF"}
	pinEntryCapabilities = []string{"UNKNOWN", "PRESENT", "ABSENT", "MPOS_SOFTWARE_BASED_PIN", "NOT_OPERATIVE"}
)

// checkTerminal validates TerminalData: mposDevice and pinEntryCapability
// are the docstrings' enums; terminalId at most 8 characters as in
// pointOfSaleData [inferred]. cardReadingCapabilities,
// cardholderActivatedTerminalLevel and offlineAuthorizationResponseCode
// (whose docstring lists example values only) are free strings.
func checkTerminal(t *terminalData) string {
	const p = "terminalData."
	switch {
	case t == nil:
		return ""
	case len(t.TerminalID) > 8:
		return p + "terminalId must be at most 8 characters"
	}
	return first(oneOf(p+"mposDevice", t.MposDevice, mposDevices), oneOf(p+"pinEntryCapability", t.PinEntryCapability, pinEntryCapabilities))
}

// checkServiceLocation validates ServiceLocationData. Its docstring says
// to provide "either the address or the geo coordinates": one of them is
// required and both is refused [inferred]. countryCode is ISO 3166
// alpha-2 or numeric [inferred]; geoCoordinates need both numbers, within
// ±90 and ±180 degrees [inferred].
func checkServiceLocation(s *serviceLocationData) string {
	const p = "cardPaymentData.serviceLocationData"
	switch {
	case s == nil:
		return ""
	case (s.Address == nil) == (s.GeoCoordinates == nil):
		return p + " needs either address or geoCoordinates"
	case s.Address != nil && s.Address.CountryCode != "" && !countryPattern().MatchString(s.Address.CountryCode):
		return p + ".address.countryCode must be an ISO 3166 country code"
	}
	if g := s.GeoCoordinates; g != nil {
		if g.Latitude == nil || g.Longitude == nil || math.Abs(*g.Latitude) > 90 || math.Abs(*g.Longitude) > 180 {
			return p + ".geoCoordinates needs latitude (-90 to 90) and longitude (-180 to 180) in decimal degrees"
		}
	}
	return ""
}

// checkMarketplace validates MarketplaceData: retailerCountryCode is ISO
// 3166 (the docstring), alpha-2 or numeric [inferred].
func checkMarketplace(m *marketplaceData) string {
	if m != nil && m.RetailerCountryCode != "" && !countryPattern().MatchString(m.RetailerCountryCode) {
		return "marketplaceData.retailerCountryCode must be an ISO 3166 country code"
	}
	return ""
}

// first is the first non-empty message.
func first(msgs ...string) string {
	for _, m := range msgs {
		if m != "" {
			return m
		}
	}
	return ""
}

// checkDCC validates DccData's own fields: all four are required.
func checkDCC(field string, d *dccData) string {
	if d == nil {
		return ""
	}
	cur, err := money.LookupCurrency(d.CurrencyCode)
	switch {
	case d.Amount == nil || d.ConversionRate == nil || d.CurrencyCode == "" || d.NumberOfDecimals == nil:
		return field + " needs amount, conversionRate, currencyCode and numberOfDecimals"
	case err != nil || cur.Code != d.CurrencyCode:
		return fmt.Sprintf("%s.currencyCode %q is not an ISO 4217 code", field, d.CurrencyCode)
	case int(*d.NumberOfDecimals) != cur.Exponent:
		return fmt.Sprintf("%s.numberOfDecimals must be %d for %s", field, cur.Exponent, cur.Code)
	case *d.Amount <= 0:
		return field + ".amount must be positive"
	case !positiveRate(*d.ConversionRate):
		return field + ".conversionRate must be positive"
	}
	return ""
}

// sameRate compares a client's float conversionRate with a quoted decimal.
func sameRate(got rateNumber, quoted string) bool {
	rate, ok := new(big.Rat).SetString(got.String())
	return ok && rate.Cmp(mustRat(quoted)) == 0
}

// rateNumber is DccData.conversionRate (a double in the SDK's model): a
// JSON number kept as written, so it is compared exactly, never through
// float64; a quoted string is refused, as a typed decoder would.
type rateNumber struct{ json.Number }

func (r *rateNumber) UnmarshalJSON(data []byte) error {
	if len(data) == 0 || data[0] == '"' {
		return fmt.Errorf("conversionRate must be a number")
	}
	return json.Unmarshal(data, &r.Number)
}

// positiveRate: a conversion rate is a positive decimal number, compared
// exactly (never through float64).
func positiveRate(n rateNumber) bool {
	rate, ok := new(big.Rat).SetString(n.String())
	return ok && rate.Sign() > 0
}

// dccQuote is a rate the fake quoted at /dcc-rates, for Kind, the
// request's transaction.transactionType.
type dccQuote struct {
	Kind     string
	From, To amountData
	Rate     string
}

// Deterministic response values: references and authorization codes
// are digests of the payment, refund or operation id (the payment
// account reference, of the card number), so the same record always
// answers the same values.
func digest(seed string) uint64 {
	sum := sha256.Sum256([]byte(seed))
	return binary.BigEndian.Uint64(sum[:8])
}

func digits(seed string, n int) string {
	s := fmt.Sprintf("%020d", digest(seed))
	for len(s) < n {
		s += fmt.Sprintf("%020d", digest(s))
	}
	return s[len(s)-n:]
}

// schemeTransactionID is 15 digits, as the docs' examples.
func schemeTransactionID(id string) string { return digits(id+"/stid", 15) }

// retrievalReference is 12 digits, as the docs' example.
func retrievalReference(id string) string { return digits(id+"/rrn", 12) }

// authCodeFor is a 6-digit authorization code.
func authCodeFor(seed string) string { return digits(seed+"/auth", 6) }

// accountReference is a 29-character PAR for a card number, as the docs'
// examples (V001…).
func accountReference(card string) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	sum := sha256.Sum256([]byte("par/" + card))
	b := []byte("V001")
	for i := 0; len(b) < 29; i++ {
		b = append(b, alphabet[int(sum[i%len(sum)]+byte(i/len(sum)))%len(alphabet)])
	}
	return string(b)
}

// referencesJSON is APIReferencesForResponses.
func referencesJSON(id, rrn, par string) map[string]any {
	if rrn == "" {
		rrn = retrievalReference(id)
	}
	m := map[string]any{"schemeTransactionId": schemeTransactionID(id), "retrievalReferenceNumber": rrn}
	if par != "" {
		m["paymentAccountReference"] = par
	}
	return m
}

// ecommerceResults is ECommerceDataForResponse: MATCH for a security code
// or address the request carried (other values are not published).
func ecommerceResults(cvc bool, e *ecommerceData) map[string]any {
	m := map[string]any{}
	if cvc {
		m["cardSecurityCodeResult"] = "MATCH"
	}
	if e != nil && e.AddressVerificationData != nil {
		m["addressVerificationResult"] = "MATCH"
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// cardResponseJSON is CardPaymentDataForResponse (or ForResource when
// results is nil).
func cardResponseJSON(brand, terminalID string, results map[string]any) map[string]any {
	m := map[string]any{"brand": brand}
	if results != nil {
		m["ecommerceData"] = results
	}
	if terminalID != "" {
		m["pointOfSaleData"] = map[string]any{"terminalId": terminalID}
	}
	return m
}
