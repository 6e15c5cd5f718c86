package data

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// KeySize is the length in bytes of the encryption key (AES-256).
const KeySize = 32

// ErrWrongKey is returned by Open when the key is not the one the database
// was created with.
var ErrWrongKey = errors.New("encryption key does not match this database")

// ErrDecrypt is returned when a stored value cannot be decrypted: the key
// is wrong, or the row was altered or moved to another row.
var ErrDecrypt = errors.New("cannot decrypt stored value (wrong key, or the row was altered or moved)")

// sealVersion is the first byte of every sealed value: the format
// (AES-256-GCM, 12-byte random nonce, 16-byte tag).
const sealVersion = 1

// Purposes of sealed values, part of the additional data so a value sealed
// for one purpose never opens as another.
const (
	purposeSession  = "redress/session"
	purposeOutbox   = "redress/outbox"
	purposeKeyCheck = "redress/key-check"
)

// sealer encrypts and authenticates values bound to their row.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("encryption key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("gcm: %w", err)
	}
	return &sealer{aead: aead}, nil
}

// ad builds the additional data: format version, purpose, then the row's
// binding (its key, or its id, chat and method).
func ad(purpose string, binding []byte) []byte {
	b := make([]byte, 0, 1+len(purpose)+1+len(binding))
	b = append(b, sealVersion)
	b = append(b, purpose...)
	b = append(b, 0)
	return append(b, binding...)
}

func sessionAD(key string) []byte { return ad(purposeSession, []byte(key)) }

func outboxAD(id, chat int64, method string) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(id))
	b = binary.BigEndian.AppendUint64(b, uint64(chat))
	return ad(purposeOutbox, append(b, method...))
}

// seal returns version || nonce || ciphertext+tag.
func (s *sealer) seal(plain, additional []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := io.ReadFull(rand.Reader, out[1:]); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:], plain, additional), nil
}

// openJSON opens a sealed JSON value into v: a sealed row's data.
func (s *sealer) openJSON(sealed, additional []byte, v any) error {
	plain, err := s.open(sealed, additional)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// open reverses seal; any failure is ErrDecrypt.
func (s *sealer) open(sealed, additional []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < 1+ns+s.aead.Overhead() {
		return nil, fmt.Errorf("%w: value too short (%d bytes)", ErrDecrypt, len(sealed))
	}
	if sealed[0] != sealVersion {
		return nil, fmt.Errorf("%w: unknown format %d", ErrDecrypt, sealed[0])
	}
	plain, err := s.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], additional)
	if err != nil {
		return nil, ErrDecrypt
	}
	return plain, nil
}

// NewKey returns a new random key. Keep it outside the database; for an
// environment variable, encode it with base64.StdEncoding (see KeyFromEnv).
func NewKey() ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := io.ReadFull(rand.Reader, key); err != nil {
		return nil, fmt.Errorf("data: new key: %w", err)
	}
	return key, nil
}

// KeyFromEnv decodes a base64 key (standard or URL alphabet, padding
// optional) as found in an environment variable. Errors never repeat the value.
func KeyFromEnv(value string) ([]byte, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return nil, errors.New("data: key from environment: empty value")
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		key, err := enc.DecodeString(v)
		if err != nil {
			continue
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("data: key from environment: decodes to %d bytes, want %d (generate one with: head -c 32 /dev/urandom | base64)", len(key), KeySize)
		}
		return key, nil
	}
	return nil, errors.New("data: key from environment: not valid base64 (generate one with: head -c 32 /dev/urandom | base64)")
}

// LoadOrCreateKey reads the raw 32-byte key in the file at path, creating
// the file with mode 0600 and a random key when it does not exist. It
// refuses a file of the wrong size, one that is not a regular file, and
// (except on Windows) one that group or others may read or write.
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	key, err = NewKey()
	if err != nil {
		return nil, err
	}
	if err := writeKeyFile(path, key); err != nil {
		if errors.Is(err, fs.ErrExist) { // created meanwhile by another process
			return readKeyFile(path)
		}
		return nil, err
	}
	return key, nil
}

// ReadKeyFile reads the raw 32-byte key in the file at path, with the
// checks of LoadOrCreateKey, and never creates it: for a key kept apart
// from the database (a systemd credential, another disk).
func ReadKeyFile(path string) ([]byte, error) {
	key, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("data: key file: %w", err)
	}
	return key, err
}

func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("data: key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("data: key file %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("data: key file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("data: key file %s has mode %04o: group and others must have no access (run: chmod 600 %s)", path, perm, path)
	}
	if fi.Size() != KeySize {
		return nil, fmt.Errorf("data: key file %s is %d bytes, want exactly %d raw bytes", path, fi.Size(), KeySize)
	}
	key := make([]byte, KeySize)
	if _, err := io.ReadFull(f, key); err != nil {
		return nil, fmt.Errorf("data: key file %s: %w", path, err)
	}
	return key, nil
}

func writeKeyFile(path string, key []byte) (err error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("data: key file directory: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("data: create key file: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("data: key file %s: %w", path, cerr)
		}
		if err != nil {
			os.Remove(path) // never leave a short key behind
		}
	}()
	if _, err := f.Write(key); err != nil {
		return fmt.Errorf("data: write key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("data: sync key file %s: %w", path, err)
	}
	return nil
}
