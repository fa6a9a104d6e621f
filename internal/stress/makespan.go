package stress

import "time"

// TwoSlotMakespan is the shortest time in which jobs of the given
// processing times finish on two identical slots (Marketo's two export
// processing slots, or two running imports): the smaller side of the most
// even partition. Times are rounded to whole seconds; exact by dynamic
// programming over subset sums, which is cheap for tens of jobs of
// minutes each.
func TwoSlotMakespan(jobs []time.Duration) time.Duration {
	var total int64
	secs := make([]int64, len(jobs))
	for i, d := range jobs {
		secs[i] = int64(d.Round(time.Second) / time.Second)
		total += secs[i]
	}
	half := total / 2
	reach := make([]bool, half+1) // reach[s]: some subset sums to s
	reach[0] = true
	for _, s := range secs {
		for v := half; v >= s; v-- {
			if reach[v-s] {
				reach[v] = true
			}
		}
	}
	best := int64(0)
	for v := half; v >= 0; v-- {
		if reach[v] {
			best = v
			break
		}
	}
	return time.Duration(total-best) * time.Second
}
