package sandbox

import (
	"crypto/rand"
	"encoding/hex"
)

// Every generated value comes from a hash of (seed, entity, id, slot), so a
// record can be rebuilt anywhere, in any order, without storing it.

func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// rng is a tiny splitmix64 stream seeded per record.
type rng struct{ s uint64 }

func newRNG(seed int64, salt uint64, id int64) rng {
	return rng{s: mix64(uint64(seed)*0x9e3779b97f4a7c15 ^ salt*0xd1b54a32d192ed03 ^ uint64(id)*0xa0761d6478bd642f)}
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// intn is in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// pct reports true with probability p/100.
func (r *rng) pct(p int) bool { return r.next()%100 < uint64(p) }

// hash3 is a one-shot hash for membership tests.
func hash3(seed int64, salt uint64, id int64) uint64 {
	return mix64(uint64(seed)*0x9e3779b97f4a7c15 ^ salt*0xd1b54a32d192ed03 ^ uint64(id)*0xa0761d6478bd642f ^ 0x5bd1e995)
}

// newUUID is a random lowercase RFC 4122 v4 UUID, the shape of exportIds
// and access tokens.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	var dst [36]byte
	hex.Encode(dst[0:8], b[0:4])
	dst[8] = '-'
	hex.Encode(dst[9:13], b[4:6])
	dst[13] = '-'
	hex.Encode(dst[14:18], b[6:8])
	dst[18] = '-'
	hex.Encode(dst[19:23], b[8:10])
	dst[23] = '-'
	hex.Encode(dst[24:], b[10:])
	return string(dst[:])
}
