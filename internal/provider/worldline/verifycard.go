package worldline

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"time"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
)

// VerifyCard is `bokuctl verify-card`: Worldline's account verification,
// no money moves.
type VerifyCard struct{ cardFile, operationID string }

// AddFlags registers --card-file and --operation-id.
func (v *VerifyCard) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&v.cardFile, "card-file", "", "card JSON (default: stdin)")
	fs.StringVar(&v.operationID, "operation-id", "", "idempotency key (default: a new UUID, printed before sending)")
}

// Run verifies the card; declined is exit 3.
func (v *VerifyCard) Run(cmd *cobra.Command, f *cmdutil.Factory, _ []string) error {
	card, err := ReadCard(f, v.cardFile, false)
	if err != nil {
		return err
	}
	session, operationID, err := BeginOperation(cmd.Context(), f, v.operationID)
	if err != nil {
		return err
	}
	resp, err := session.Client.VerifyAccount(cmd.Context(), acquiring.AccountVerificationRequest{
		CardPaymentData: acquiring.CardPaymentData{CardData: &card, CardEntryMode: "ECOMMERCE", CardholderVerificationMethod: "CARD_SECURITY_CODE"},
		OperationID:     operationID, TransactionTimestamp: acquiring.Timestamp(time.Now()),
	})
	if err != nil {
		return Explain(err, fmt.Sprintf("re-run with --operation-id %s", operationID))
	}
	r := result{OperationID: operationID, AuthorizationCode: resp.AuthorizationCode, CardLast4: card.Last4()}
	r.setCodes(resp.ResponseCodes)
	r.setReferences(resp.References)
	r.setCard(resp.CardPaymentData)
	return finish(f, r)
}
