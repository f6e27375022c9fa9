package secret

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringTimeout bounds every keyring call: a hung D-Bus or keychain
// prompt must not hang the command.
const KeyringTimeout = 3 * time.Second

// Keyring is the OS keyring: Secret Service over D-Bus on Linux, Keychain
// on macOS, Credential Manager on Windows.
type Keyring struct {
	// Timeout bounds each call; zero means KeyringTimeout.
	Timeout time.Duration
}

// Describe names the store.
func (Keyring) Describe() string { return "keyring" }

// Get reads a secret.
func (k Keyring) Get(ctx context.Context, account string) (string, error) {
	var value string
	err := k.do(ctx, func() error {
		v, err := keyring.Get(Service, account)
		value = v
		return err
	})
	return value, err
}

// Set writes a secret.
func (k Keyring) Set(ctx context.Context, account, value string) error {
	return k.do(ctx, func() error { return keyring.Set(Service, account, value) })
}

// Delete removes a secret; a missing one is ErrNotFound.
func (k Keyring) Delete(ctx context.Context, account string) error {
	return k.do(ctx, func() error { return keyring.Delete(Service, account) })
}

func (k Keyring) do(ctx context.Context, op func() error) error {
	timeout := k.Timeout
	if timeout == 0 {
		timeout = KeyringTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- op() }()
	select {
	case err := <-done:
		if errors.Is(err, keyring.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return &UnavailableError{Store: "OS keyring", Err: err}
		}
		return nil
	case <-ctx.Done():
		return &UnavailableError{Store: "OS keyring", Err: fmt.Errorf("no answer within %s", timeout)}
	}
}
