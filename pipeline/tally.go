package pipeline

// Tally counts things of a run by vendor and one key: rules by parse status
// or kind, candidate files by outcome.
type Tally[K comparable] map[string]map[K]int

func (t Tally[K]) add(vendor string, k K) {
	if t[vendor] == nil {
		t[vendor] = map[K]int{}
	}
	t[vendor][k]++
}

// Total is the number of things counted.
func (t Tally[K]) Total() int {
	n := 0
	for _, byKey := range t {
		for _, k := range byKey {
			n += k
		}
	}
	return n
}

// Vendor is the number of things of one vendor.
func (t Tally[K]) Vendor(vendor string) int {
	n := 0
	for _, k := range t[vendor] {
		n += k
	}
	return n
}

// Of is the number of things with key k, over all vendors.
func (t Tally[K]) Of(k K) int {
	n := 0
	for _, byKey := range t {
		n += byKey[k]
	}
	return n
}
