package sandbox

import "strconv"

// carCount is how many car_c records generated lead id owns (0–3).
func (g *generator) carCount(id int64) int {
	if id < 1 || id > g.leads {
		return 0
	}
	switch h := hash3(g.seed, saltCar, id) % 100; {
	case h < 40:
		return 0
	case h < 75:
		return 1
	case h < 95:
		return 2
	default:
		return 3
	}
}

// baseCar is a generated car_c record.
type baseCar struct {
	lead               int64
	k                  int
	make, model, color int
	year               int // 0 = null
	created, updated   int64
	guid               [16]byte
	tag                uint16
}

func (g *generator) car(id int64, k int) baseCar {
	r := newRNG(g.seed, saltCar<<8|uint64(k), id)
	c := baseCar{lead: id, k: k}
	c.make = r.intn(len(carMakes))
	c.model = r.intn(len(carMakes[c.make].models))
	c.color = r.intn(len(carColors))
	c.year = 2008 + r.intn(19)
	if r.pct(5) {
		c.year = 0
	}
	c.created = min(g.createdAt(id)+int64(r.intn(100*day)), dataEnd)
	c.updated = min(c.created+int64(r.intn(60*day)), dataEnd)
	a, b := r.next(), r.next()
	for i := range 8 {
		c.guid[i] = byte(a >> (8 * i))
		c.guid[8+i] = byte(b >> (8 * i))
	}
	c.guid[6] = c.guid[6]&0x0f | 0x40
	c.guid[8] = c.guid[8]&0x3f | 0x80
	c.tag = uint16(hash3(g.seed, saltCar<<16|uint64(k), id))
	return c
}

const hexDigits = "0123456789ABCDEF"

// appendVin writes a 17-character VIN that encodes (lead, k), so a VIN in
// an import file finds its generated car without an index.
func (c *baseCar) appendVin(dst []byte) []byte {
	dst = append(dst, 'S', 'B')
	var digits [10]byte
	v := c.lead
	for i := 9; i >= 0; i-- {
		digits[i] = byte('0' + v%10)
		v /= 10
	}
	dst = append(dst, digits[:]...)
	dst = append(dst, byte('0'+c.k))
	return append(dst, hexDigits[c.tag>>12&0xf], hexDigits[c.tag>>8&0xf], hexDigits[c.tag>>4&0xf], hexDigits[c.tag&0xf])
}

func (c *baseCar) vin() string { return string(c.appendVin(nil)) }

// carFromVin finds the generated car a VIN names.
func (g *generator) carFromVin(vin string) (baseCar, bool) {
	if len(vin) != 17 || vin[0] != 'S' || vin[1] != 'B' {
		return baseCar{}, false
	}
	id := parseInt64(vin[2:12])
	k := int(vin[12] - '0')
	if id < 1 || id > g.leads || k < 0 || k >= g.carCount(id) {
		return baseCar{}, false
	}
	c := g.car(id, k)
	if c.vin() != vin {
		return baseCar{}, false
	}
	return c, true
}

// appendRaw appends car field f unquoted; nothing for null.
func (c *baseCar) appendRaw(dst []byte, f int) []byte {
	switch f {
	case cfMarketoGUID:
		return append(dst, formatUUID(c.guid)...)
	case cfVin:
		return c.appendVin(dst)
	case cfMake:
		return append(dst, carMakes[c.make].name...)
	case cfModel:
		return append(dst, carMakes[c.make].models[c.model]...)
	case cfColor:
		return append(dst, carColors[c.color]...)
	case cfYear:
		if c.year == 0 {
			return dst
		}
		return strconv.AppendInt(dst, int64(c.year), 10)
	case cfLeadID:
		return strconv.AppendInt(dst, c.lead, 10)
	case cfCreatedAt:
		return appendDateTime(dst, c.created)
	case cfUpdatedAt:
		return appendDateTime(dst, c.updated)
	}
	return dst
}

func (c *baseCar) record() *carRec {
	rec := &carRec{leadID: c.lead, updated: c.updated, base: true}
	var buf []byte
	for f := range numCarFields {
		buf = c.appendRaw(buf[:0], f)
		rec.vals[f] = string(buf)
	}
	return rec
}

var carMakes = []struct {
	name   string
	models []string
}{
	{"Toyota", []string{"Corolla", "Camry", "RAV4"}},
	{"Honda", []string{"Civic", "Accord", "CR-V"}},
	{"Ford", []string{"F-150", "Mustang", "Escape"}},
	{"BMW", []string{"3 Series", "X5", "i4"}},
	{"Tesla", []string{"Model 3", "Model Y"}},
	{"Volkswagen", []string{"Golf", "Tiguan"}},
	{"Subaru", []string{"Outback", "Forester"}},
	{"Hyundai", []string{"Ioniq 5", "Tucson"}},
}

var carColors = []string{"red", "blue", "black", "white", "silver", "gray", "green"}
