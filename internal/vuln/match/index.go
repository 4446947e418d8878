package match

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"

	"github.com/acd-platform/acd/internal/product"
	"github.com/acd-platform/acd/internal/vuln/cve"
)

// Asset is a specified critical computer (§4) as matching sees it: who
// holds it and how its product is identified.
type Asset struct {
	// ID identifies the asset; unique in an Index.
	ID string
	// Org is the operator that registered it.
	Org string
	// Sector is the operator's sector.
	Sector string
	// CPE is the product's CPE 2.3 name: vendor and product given, no
	// wildcards. nil if not known.
	CPE *product.CPE
	// PURL is the product's package URL, version included. nil if not
	// known. At least one of CPE and PURL must be given.
	PURL *product.PURL
}

// Pair says that an asset is affected by a vulnerability.
type Pair struct {
	// Asset, Org and Sector are the asset's.
	Asset, Org, Sector string
	// Vuln is the vulnerability's ID.
	Vuln string
	// Affected is the index in the vulnerability's Affected of the first
	// entry that covers the asset, to show why it matched.
	Affected int
}

// Delta is what one change to an Index changed in the full match.
type Delta struct {
	// Added are the pairs that are new, or whose Affected changed.
	Added []Pair
	// Removed are the pairs that no longer hold.
	Removed []Pair
}

// ErrInvalidAsset is wrapped by the errors of PutAsset and Load for an
// asset that cannot be matched: no ID, no CPE or PURL, or a CPE that is
// a pattern rather than a name. Callers should have checked assets when
// they were registered (package reporting does).
var ErrInvalidAsset = errors.New("invalid asset")

// Index holds vulnerabilities and assets and says which assets each
// vulnerability affects: all pairs at once ([Index.Pairs]), or what one
// added, changed or removed asset or vulnerability changes. It never
// compares every asset with every vulnerability: affected products are
// filed under their CPE vendor and product or their package type,
// namespace and name, assets likewise, and within each the assets are
// sorted by version under each scheme, so a version range finds its assets
// by binary search.
//
// An Index is safe for concurrent use. The zero Index is not usable: call
// [NewIndex].
type Index struct {
	mu sync.RWMutex // guards every field below

	assets     []assetRec
	assetSlot  map[string]int32
	freeAssets []int32

	vulns     []vulnRec
	vulnSlot  map[string]int32
	freeVulns []int32

	cpeBuckets  map[string]*bucket
	purlBuckets map[string]*bucket
	wild        []entryRef // CPE entries with no vendor:product key
	cpeAssets   int        // live assets with a CPE, for wild entries
}

// assetRec is an asset in its slot.
type assetRec struct {
	live    bool
	a       Asset
	cpeVer  versions
	purlVer versions
}

// vulnRec is a vulnerability in its slot: its compiled entries.
type vulnRec struct {
	live    bool
	id      string
	entries []entry
}

// entryRef names one compiled entry: vulnerability slot and index in its
// entries.
type entryRef struct {
	vuln, idx int32
}

// bucket holds the assets with one vendor:product (or one package) and
// the entries that name it.
type bucket struct {
	all     []int32            // every asset slot in the bucket
	orders  [2]order           // assets with a version, by Generic and by Semver key
	byRaw   map[string][]int32 // Generic key of the version attribute (PURL: version) → slots
	entries []entryRef
}

// order is a bucket's assets with a version, sorted by key.
type order struct {
	keys  []string
	slots []int32
}

// NewIndex returns an empty Index.
func NewIndex() *Index {
	ix := &Index{}
	ix.reset()
	return ix
}

func (ix *Index) reset() {
	ix.assets, ix.freeAssets = nil, nil
	ix.vulns, ix.freeVulns = nil, nil
	ix.assetSlot = map[string]int32{}
	ix.vulnSlot = map[string]int32{}
	ix.cpeBuckets = map[string]*bucket{}
	ix.purlBuckets = map[string]*bucket{}
	ix.wild, ix.cpeAssets = nil, 0
}

// Len returns the number of assets and vulnerabilities held.
func (ix *Index) Len() (assets, vulnerabilities int) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.assetSlot), len(ix.vulnSlot)
}

// Load replaces the contents of ix with assets and vulns, without
// computing any pairs; call Pairs for the full match. It is much faster
// than adding them one at a time. It fails, leaving ix empty, on an
// invalid asset (ErrInvalidAsset) or an ID given twice. Vulnerabilities
// are not retained: only what matching needs is compiled from them.
func (ix *Index) Load(assets []Asset, vulns []*cve.Vulnerability) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.reset()
	for _, a := range assets {
		if err := checkAsset(a); err != nil {
			ix.reset()
			return err
		}
		if _, dup := ix.assetSlot[a.ID]; dup {
			ix.reset()
			return fmt.Errorf("load assets: %q given twice", a.ID)
		}
		ix.insertAsset(a, false)
	}
	for _, b := range ix.cpeBuckets {
		b.sortOrders()
	}
	for _, b := range ix.purlBuckets {
		b.sortOrders()
	}
	for _, v := range vulns {
		if _, dup := ix.vulnSlot[v.ID]; dup {
			ix.reset()
			return fmt.Errorf("load vulnerabilities: %q given twice", v.ID)
		}
		ix.insertVuln(v)
	}
	return nil
}

// checkAsset returns what makes a unusable, wrapping ErrInvalidAsset.
func checkAsset(a Asset) error {
	switch {
	case a.ID == "":
		return fmt.Errorf("%w: no ID", ErrInvalidAsset)
	case a.CPE == nil && a.PURL == nil:
		return fmt.Errorf("%w %q: neither CPE nor PURL", ErrInvalidAsset, a.ID)
	}
	if c := a.CPE; c != nil {
		if c.Vendor.Kind() != product.KindString || c.Product.Kind() != product.KindString {
			return fmt.Errorf("%w %q: CPE %s does not name a vendor and product", ErrInvalidAsset, a.ID, c)
		}
		for _, v := range c.Attrs() {
			if v.HasWildcards() {
				return fmt.Errorf("%w %q: CPE %s is a pattern, not a name", ErrInvalidAsset, a.ID, c)
			}
		}
	}
	if p := a.PURL; p != nil && (p.Type == "" || p.Name == "") {
		return fmt.Errorf("%w %q: PURL without type or name", ErrInvalidAsset, a.ID)
	}
	return nil
}

// insertAsset puts a (checked, with a new ID) in a slot and its buckets.
// sorted says to keep the buckets' orders sorted as it goes; Load sorts
// them once at the end instead.
func (ix *Index) insertAsset(a Asset, sorted bool) int32 {
	rec := assetRec{live: true, a: a}
	if a.CPE != nil {
		rec.cpeVer = assetVersions(*a.CPE)
	}
	if a.PURL != nil {
		rec.purlVer = purlVersions(*a.PURL)
	}
	var slot int32
	if n := len(ix.freeAssets); n > 0 {
		slot = ix.freeAssets[n-1]
		ix.freeAssets = ix.freeAssets[:n-1]
		ix.assets[slot] = rec
	} else {
		slot = int32(len(ix.assets))
		ix.assets = append(ix.assets, rec)
	}
	ix.assetSlot[a.ID] = slot
	if a.CPE != nil {
		ix.cpeAssets++
		getBucket(ix.cpeBuckets, cpeKey(a.CPE)).add(slot, rec.cpeVer, sorted)
	}
	if a.PURL != nil {
		getBucket(ix.purlBuckets, purlKey(*a.PURL)).add(slot, rec.purlVer, sorted)
	}
	return slot
}

// deleteAsset takes the asset in slot out of its buckets and frees the
// slot.
func (ix *Index) deleteAsset(slot int32) {
	rec := &ix.assets[slot]
	if rec.a.CPE != nil {
		ix.cpeAssets--
		removeFromBucket(ix.cpeBuckets, cpeKey(rec.a.CPE), slot, rec.cpeVer)
	}
	if rec.a.PURL != nil {
		removeFromBucket(ix.purlBuckets, purlKey(*rec.a.PURL), slot, rec.purlVer)
	}
	delete(ix.assetSlot, rec.a.ID)
	*rec = assetRec{}
	ix.freeAssets = append(ix.freeAssets, slot)
}

// cpeKey is the bucket of an asset's CPE.
func cpeKey(c *product.CPE) string { return c.Vendor.Text() + ":" + c.Product.Text() }

func getBucket(m map[string]*bucket, key string) *bucket {
	b := m[key]
	if b == nil {
		b = &bucket{byRaw: map[string][]int32{}}
		m[key] = b
	}
	return b
}

// add files asset slot with versions vs in b.
func (b *bucket) add(slot int32, vs versions, sorted bool) {
	b.all = append(b.all, slot)
	if !vs.known {
		return
	}
	b.byRaw[vs.rawGeneric] = append(b.byRaw[vs.rawGeneric], slot)
	for s := range b.orders {
		o := &b.orders[s]
		k := vs.keys[s]
		i := len(o.keys)
		if sorted {
			i, _ = slices.BinarySearch(o.keys, k)
		}
		o.keys = slices.Insert(o.keys, i, k)
		o.slots = slices.Insert(o.slots, i, slot)
	}
}

// sortOrders sorts b's orders by key (then slot, for a stable result).
func (b *bucket) sortOrders() {
	for s := range b.orders {
		o := &b.orders[s]
		idx := make([]int, len(o.keys))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(x, y int) int {
			if c := strings.Compare(o.keys[x], o.keys[y]); c != 0 {
				return c
			}
			return int(o.slots[x] - o.slots[y])
		})
		keys := make([]string, len(idx))
		slots := make([]int32, len(idx))
		for i, j := range idx {
			keys[i], slots[i] = o.keys[j], o.slots[j]
		}
		o.keys, o.slots = keys, slots
	}
}

// removeFromBucket takes asset slot with versions vs out of the bucket at
// key, and drops the bucket when nothing is left in it.
func removeFromBucket(m map[string]*bucket, key string, slot int32, vs versions) {
	b := m[key]
	if b == nil {
		return
	}
	b.all = removeSlot(b.all, slot)
	if vs.known {
		if l := removeSlot(b.byRaw[vs.rawGeneric], slot); len(l) == 0 {
			delete(b.byRaw, vs.rawGeneric)
		} else {
			b.byRaw[vs.rawGeneric] = l
		}
		for s := range b.orders {
			o := &b.orders[s]
			i, _ := slices.BinarySearch(o.keys, vs.keys[s])
			for ; i < len(o.keys) && o.keys[i] == vs.keys[s]; i++ {
				if o.slots[i] == slot {
					o.keys = slices.Delete(o.keys, i, i+1)
					o.slots = slices.Delete(o.slots, i, i+1)
					break
				}
			}
		}
	}
	if len(b.all) == 0 && len(b.entries) == 0 {
		delete(m, key)
	}
}

// removeSlot removes slot from l, not keeping order.
func removeSlot(l []int32, slot int32) []int32 {
	if i := slices.Index(l, slot); i >= 0 {
		l[i] = l[len(l)-1]
		return l[:len(l)-1]
	}
	return l
}

// insertVuln compiles v into a slot and files its entries.
func (ix *Index) insertVuln(v *cve.Vulnerability) int32 {
	var slot int32
	if n := len(ix.freeVulns); n > 0 {
		slot = ix.freeVulns[n-1]
		ix.freeVulns = ix.freeVulns[:n-1]
	} else {
		slot = int32(len(ix.vulns))
		ix.vulns = append(ix.vulns, vulnRec{})
	}
	rec := vulnRec{live: true, id: v.ID}
	if !v.Rejected {
		for i := range v.Affected {
			e, ok := compileEntry(&v.Affected[i])
			if !ok {
				continue
			}
			e.vuln, e.idx = slot, int32(i)
			rec.entries = append(rec.entries, e)
		}
	}
	ix.vulns[slot] = rec
	ix.vulnSlot[v.ID] = slot
	for i := range rec.entries {
		e := &rec.entries[i]
		ref := entryRef{slot, int32(i)}
		switch {
		case e.isPURL:
			b := getBucket(ix.purlBuckets, e.key)
			b.entries = append(b.entries, ref)
		case e.key != "":
			b := getBucket(ix.cpeBuckets, e.key)
			b.entries = append(b.entries, ref)
		default:
			ix.wild = append(ix.wild, ref)
		}
	}
	return slot
}

// deleteVuln takes the vulnerability in slot out of the buckets and frees
// the slot.
func (ix *Index) deleteVuln(slot int32) {
	rec := &ix.vulns[slot]
	drop := func(l []entryRef) []entryRef {
		return slices.DeleteFunc(l, func(r entryRef) bool { return r.vuln == slot })
	}
	for i := range rec.entries {
		e := &rec.entries[i]
		var m map[string]*bucket
		switch {
		case e.isPURL:
			m = ix.purlBuckets
		case e.key != "":
			m = ix.cpeBuckets
		default:
			ix.wild = drop(ix.wild)
			continue
		}
		if b := m[e.key]; b != nil {
			b.entries = drop(b.entries)
			if len(b.all) == 0 && len(b.entries) == 0 {
				delete(m, e.key)
			}
		}
	}
	delete(ix.vulnSlot, rec.id)
	*rec = vulnRec{}
	ix.freeVulns = append(ix.freeVulns, slot)
}

// hit is one asset slot found affected, with the entry that found it.
type hit struct {
	slot  int32
	entry int32 // the Affected index
}

// vulnHits appends to buf the assets the vulnerability rec affects, each
// once (with its lowest Affected index), sorted by slot.
func (ix *Index) vulnHits(rec *vulnRec, buf []hit) []hit {
	buf = buf[:0]
	for i := range rec.entries {
		e := &rec.entries[i]
		switch {
		case e.isPURL:
			if b := ix.purlBuckets[e.key]; b != nil {
				buf = ix.purlHits(e, b, buf)
			}
		case e.key != "":
			if b := ix.cpeBuckets[e.key]; b != nil {
				buf = ix.cpeHits(e, b, buf)
			}
		default:
			for slot := range ix.assets {
				a := &ix.assets[slot]
				if a.live && a.a.CPE != nil && e.coversCPE(a.a.CPE, a.cpeVer) {
					buf = append(buf, hit{int32(slot), e.idx})
				}
			}
		}
	}
	if len(rec.entries) > 1 && len(buf) > 1 {
		slices.SortFunc(buf, func(x, y hit) int {
			if x.slot != y.slot {
				return int(x.slot - y.slot)
			}
			return int(x.entry - y.entry)
		})
		buf = slices.CompactFunc(buf, func(x, y hit) bool { return x.slot == y.slot })
	}
	return buf
}

// cpeHits appends the assets of bucket b that CPE entry e covers.
func (ix *Index) cpeHits(e *entry, b *bucket, buf []hit) []hit {
	check := func(slot int32) bool {
		a := &ix.assets[slot]
		return e.coversName(a.a.CPE)
	}
	switch {
	case e.ver.Kind() == product.KindString && !e.ver.HasWildcards():
		// An exact version in the criteria: the assets with that version.
		for _, slot := range b.byRaw[versionKey(Generic, e.ver.Text())] {
			if a := &ix.assets[slot]; check(slot) && e.inSet(a.cpeVer) {
				buf = append(buf, hit{slot, e.idx})
			}
		}
	case e.ver.Kind() == product.KindAny && e.set.all():
		for _, slot := range b.all {
			if check(slot) {
				buf = append(buf, hit{slot, e.idx})
			}
		}
	case e.ver.Kind() == product.KindAny && e.set.scheme != Git:
		buf = rangeHits(e, &b.orders[e.set.scheme], buf, check)
	default: // NA or wildcard version, or Git commits: check each
		for _, slot := range b.all {
			if a := &ix.assets[slot]; e.coversName(a.a.CPE) && e.coversVersion(a.a.CPE.Version, a.cpeVer) {
				buf = append(buf, hit{slot, e.idx})
			}
		}
	}
	return buf
}

// purlHits appends the assets of bucket b that PURL entry e covers.
func (ix *Index) purlHits(e *entry, b *bucket, buf []hit) []hit {
	check := func(slot int32) bool {
		a := &ix.assets[slot]
		return e.coversPURL(a.a.PURL, a.purlVer)
	}
	if e.pver == "" && !e.set.all() && e.set.scheme != Git {
		return rangeHits(e, &b.orders[e.set.scheme], buf, check)
	}
	for _, slot := range b.all {
		if check(slot) {
			buf = append(buf, hit{slot, e.idx})
		}
	}
	return buf
}

// rangeHits appends the assets in o whose keys lie in e's intervals and
// that pass check.
func rangeHits(e *entry, o *order, buf []hit, check func(int32) bool) []hit {
	for _, iv := range e.set.ivs {
		i := 0
		if !iv.lo.inf {
			i, _ = slices.BinarySearch(o.keys, iv.lo.key)
			if !iv.lo.incl {
				for i < len(o.keys) && o.keys[i] == iv.lo.key {
					i++
				}
			}
		}
		for ; i < len(o.keys); i++ {
			if !iv.hi.inf {
				if c := strings.Compare(o.keys[i], iv.hi.key); c > 0 || c == 0 && !iv.hi.incl {
					break
				}
			}
			if check(o.slots[i]) {
				buf = append(buf, hit{o.slots[i], e.idx})
			}
		}
	}
	return buf
}

// vulnMatch is one vulnerability affecting an asset.
type vulnMatch struct {
	vuln  int32
	entry int32 // the Affected index
}

// assetHits appends to buf the vulnerabilities affecting the asset in
// slot, each once (with its lowest Affected index), sorted by slot.
func (ix *Index) assetHits(slot int32, buf []vulnMatch) []vulnMatch {
	buf = buf[:0]
	a := &ix.assets[slot]
	try := func(ref entryRef, ok func(e *entry) bool) {
		e := &ix.vulns[ref.vuln].entries[ref.idx]
		if ok(e) {
			buf = append(buf, vulnMatch{ref.vuln, e.idx})
		}
	}
	if c := a.a.CPE; c != nil {
		ok := func(e *entry) bool { return e.coversName(c) && e.coversVersion(c.Version, a.cpeVer) }
		if b := ix.cpeBuckets[cpeKey(c)]; b != nil {
			for _, ref := range b.entries {
				try(ref, ok)
			}
		}
		for _, ref := range ix.wild {
			try(ref, func(e *entry) bool { return e.coversCPE(c, a.cpeVer) })
		}
	}
	if p := a.a.PURL; p != nil {
		if b := ix.purlBuckets[purlKey(*p)]; b != nil {
			for _, ref := range b.entries {
				try(ref, func(e *entry) bool { return e.coversPURL(p, a.purlVer) })
			}
		}
	}
	slices.SortFunc(buf, func(x, y vulnMatch) int {
		if x.vuln != y.vuln {
			return int(x.vuln - y.vuln)
		}
		return int(x.entry - y.entry)
	})
	return slices.CompactFunc(buf, func(x, y vulnMatch) bool { return x.vuln == y.vuln })
}

// pair makes the Pair of asset slot and vulnerability id.
func (ix *Index) pair(slot int32, vuln string, entry int32) Pair {
	a := &ix.assets[slot].a
	return Pair{Asset: a.ID, Org: a.Org, Sector: a.Sector, Vuln: vuln, Affected: int(entry)}
}

// Pairs returns every (asset, vulnerability) pair where the vulnerability
// affects the asset: the full match. Pairs come grouped by vulnerability,
// in no particular order otherwise. The index is read-locked while the
// sequence runs: the loop body must not change ix.
func (ix *Index) Pairs() iter.Seq[Pair] {
	return func(yield func(Pair) bool) {
		ix.mu.RLock()
		defer ix.mu.RUnlock()
		var buf []hit
		for i := range ix.vulns {
			rec := &ix.vulns[i]
			if !rec.live || len(rec.entries) == 0 {
				continue
			}
			buf = ix.vulnHits(rec, buf)
			for _, h := range buf {
				if !yield(ix.pair(h.slot, rec.id, h.entry)) {
					return
				}
			}
		}
	}
}

// VulnerabilityPairs returns the pairs of the vulnerability with id, in
// no particular order; nil if there is none.
func (ix *Index) VulnerabilityPairs(id string) []Pair {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	slot, ok := ix.vulnSlot[id]
	if !ok {
		return nil
	}
	return ix.vulnPairs(slot)
}

func (ix *Index) vulnPairs(slot int32) []Pair {
	rec := &ix.vulns[slot]
	hits := ix.vulnHits(rec, nil)
	out := make([]Pair, 0, len(hits))
	for _, h := range hits {
		out = append(out, ix.pair(h.slot, rec.id, h.entry))
	}
	return out
}

// AssetPairs returns the pairs of the asset with id, in no particular
// order; nil if there is none.
func (ix *Index) AssetPairs(id string) []Pair {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	slot, ok := ix.assetSlot[id]
	if !ok {
		return nil
	}
	return ix.assetPairs(slot)
}

func (ix *Index) assetPairs(slot int32) []Pair {
	ms := ix.assetHits(slot, nil)
	out := make([]Pair, 0, len(ms))
	for _, m := range ms {
		out = append(out, ix.pair(slot, ix.vulns[m.vuln].id, m.entry))
	}
	return out
}

// PutVulnerability adds v, or replaces the vulnerability with its ID,
// and returns how the full match changed. v is not retained.
func (ix *Index) PutVulnerability(v *cve.Vulnerability) Delta {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var old []Pair
	if slot, ok := ix.vulnSlot[v.ID]; ok {
		old = ix.vulnPairs(slot)
		ix.deleteVuln(slot)
	}
	return diff(old, ix.vulnPairs(ix.insertVuln(v)))
}

// RemoveVulnerability removes the vulnerability with id and returns the
// pairs that no longer hold.
func (ix *Index) RemoveVulnerability(id string) Delta {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, ok := ix.vulnSlot[id]
	if !ok {
		return Delta{}
	}
	old := ix.vulnPairs(slot)
	ix.deleteVuln(slot)
	return Delta{Removed: old}
}

// PutAsset adds a, or replaces the asset with its ID, and returns how
// the full match changed. An asset that cannot be matched gets an error
// wrapping ErrInvalidAsset and changes nothing.
func (ix *Index) PutAsset(a Asset) (Delta, error) {
	if err := checkAsset(a); err != nil {
		return Delta{}, err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var old []Pair
	if slot, ok := ix.assetSlot[a.ID]; ok {
		old = ix.assetPairs(slot)
		ix.deleteAsset(slot)
	}
	return diff(old, ix.assetPairs(ix.insertAsset(a, true))), nil
}

// RemoveAsset removes the asset with id and returns the pairs that no
// longer hold.
func (ix *Index) RemoveAsset(id string) Delta {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, ok := ix.assetSlot[id]
	if !ok {
		return Delta{}
	}
	old := ix.assetPairs(slot)
	ix.deleteAsset(slot)
	return Delta{Removed: old}
}

// diff returns the pairs added (or changed) and removed going from old to
// new.
func diff(old, new []Pair) Delta {
	type key struct{ asset, vuln string }
	was := make(map[key]Pair, len(old))
	for _, p := range old {
		was[key{p.Asset, p.Vuln}] = p
	}
	var d Delta
	for _, p := range new {
		k := key{p.Asset, p.Vuln}
		if q, ok := was[k]; !ok || q != p {
			d.Added = append(d.Added, p)
		}
		delete(was, k)
	}
	for _, p := range old {
		if _, ok := was[key{p.Asset, p.Vuln}]; ok {
			d.Removed = append(d.Removed, p)
		}
	}
	return d
}
