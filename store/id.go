package store

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

// idAlphabet is Crockford's base32 in lower case: no i, l, o, u, so ids read aloud unambiguously,
// and its order matches byte order, so ids sort as their creation times.
const idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

var idState struct {
	sync.Mutex
	ms   uint64 // millisecond of the last id
	hi   uint16 // random part of the last id: 16 + 64 bits
	lo   uint64
	seen bool
}

// NewID returns a new 26-character id: 48 bits of Unix milliseconds then 80 random bits, in
// lower-case Crockford base32 (a ULID). Ids made by one process are strictly increasing,
// also within one millisecond, so ORDER BY id is creation order.
func NewID() string {
	ms := uint64(time.Now().UnixMilli())
	idState.Lock()
	if idState.seen && ms <= idState.ms {
		// Same (or an earlier, after a clock step) millisecond: increment the random part.
		ms = idState.ms
		idState.lo++
		if idState.lo == 0 {
			idState.hi++
		}
	} else {
		var b [10]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		idState.hi = binary.BigEndian.Uint16(b[:2])
		idState.lo = binary.BigEndian.Uint64(b[2:])
		idState.ms = ms
		idState.seen = true
	}
	hi, lo := idState.hi, idState.lo
	idState.Unlock()

	// 128 bits: ms(48) | hi(16) | lo(64), written as 26 base32 digits (130 bits, top 2 zero).
	var u [16]byte
	binary.BigEndian.PutUint16(u[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(u[2:6], uint32(ms))
	binary.BigEndian.PutUint16(u[6:8], hi)
	binary.BigEndian.PutUint64(u[8:16], lo)
	var out [26]byte
	// Walk the 128-bit value 5 bits at a time from the least significant end.
	h := binary.BigEndian.Uint64(u[0:8])
	l := binary.BigEndian.Uint64(u[8:16])
	for i := 25; i >= 0; i-- {
		out[i] = idAlphabet[l&31]
		l = l>>5 | h<<59
		h >>= 5
	}
	return string(out[:])
}
