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
	ids        []assetIDs // by slot, apart from assets for the full match's sake
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

// assetIDs is what a Pair says of an asset.
type assetIDs struct {
	id, org, sector string
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
	all     []member            // every asset in the bucket
	orders  [2]order            // assets with a version, by Generic and by Semver key
	byRaw   map[string][]member // Generic key of the version attribute (PURL: version) → assets
	entries []entryRef

	// The asset side's index of entries, built from entries when needed:
	// the ranged ones (see entry.ranged) by scheme, and the others.
	stab      [2]*stabIndex
	other     []entryRef
	stabDirty bool // entries changed since stab and other were built
}

// member is an asset in a bucket: its slot and its CPE part (see
// partByte), so that the common check needs no look at the asset.
type member struct {
	slot int32
	part byte
}

// order is a bucket's assets with a version, sorted by key, with each
// asset's CPE part (see partByte) for the common check without touching
// the asset.
type order struct {
	keys  []string
	slots []int32
	parts []byte
}

// partByte is the CPE part of an asset as one byte: 'a', 'o' or 'h', '*'
// for ANY, '-' for NA; 0 for a package.
func partByte(c *product.CPE) byte {
	if c == nil {
		return 0
	}
	switch c.Part.Kind() {
	case product.KindAny:
		return '*'
	case product.KindNA:
		return '-'
	}
	return c.Part.Text()[0]
}

// NewIndex returns an empty Index.
func NewIndex() *Index {
	ix := &Index{}
	ix.reset()
	return ix
}

func (ix *Index) reset() {
	ix.assets, ix.ids, ix.freeAssets = nil, nil, nil
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
	ix.assets = make([]assetRec, 0, len(assets))
	ix.ids = make([]assetIDs, 0, len(assets))
	ix.assetSlot = make(map[string]int32, len(assets))
	ix.vulns = make([]vulnRec, 0, len(vulns))
	ix.vulnSlot = make(map[string]int32, len(vulns))
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
		ix.ids[slot] = assetIDs{a.ID, a.Org, a.Sector}
	} else {
		slot = int32(len(ix.assets))
		ix.assets = append(ix.assets, rec)
		ix.ids = append(ix.ids, assetIDs{a.ID, a.Org, a.Sector})
	}
	ix.assetSlot[a.ID] = slot
	if a.CPE != nil {
		ix.cpeAssets++
		getBucket(ix.cpeBuckets, cpeKey(a.CPE)).add(slot, rec.cpeVer, partByte(a.CPE), sorted)
	}
	if a.PURL != nil {
		getBucket(ix.purlBuckets, purlKey(*a.PURL)).add(slot, rec.purlVer, 0, sorted)
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
	ix.ids[slot] = assetIDs{}
	ix.freeAssets = append(ix.freeAssets, slot)
}

// cpeKey is the bucket of an asset's CPE.
func cpeKey(c *product.CPE) string { return c.Vendor.Text() + ":" + c.Product.Text() }

func getBucket(m map[string]*bucket, key string) *bucket {
	b := m[key]
	if b == nil {
		b = &bucket{byRaw: map[string][]member{}}
		m[key] = b
	}
	return b
}

// add files asset slot with versions vs and CPE part in b.
func (b *bucket) add(slot int32, vs versions, part byte, sorted bool) {
	b.all = append(b.all, member{slot, part})
	if !vs.known {
		return
	}
	b.byRaw[vs.rawGeneric] = append(b.byRaw[vs.rawGeneric], member{slot, part})
	for s := range b.orders {
		o := &b.orders[s]
		k := vs.keys[s]
		i := len(o.keys)
		if sorted {
			i, _ = slices.BinarySearch(o.keys, k)
		}
		o.keys = slices.Insert(o.keys, i, k)
		o.slots = slices.Insert(o.slots, i, slot)
		o.parts = slices.Insert(o.parts, i, part)
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
		// The keys go into one string, in order, so that binary searches
		// read memory that is close together.
		var arena strings.Builder
		for _, j := range idx {
			arena.WriteString(o.keys[j])
		}
		all := arena.String()
		keys := make([]string, len(idx))
		slots := make([]int32, len(idx))
		parts := make([]byte, len(idx))
		off := 0
		for i, j := range idx {
			n := len(o.keys[j])
			keys[i], slots[i], parts[i] = all[off:off+n], o.slots[j], o.parts[j]
			off += n
		}
		o.keys, o.slots, o.parts = keys, slots, parts
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
					o.parts = slices.Delete(o.parts, i, i+1)
					break
				}
			}
		}
	}
	if len(b.all) == 0 && len(b.entries) == 0 {
		delete(m, key)
	}
}

// removeSlot removes the member with slot from l, not keeping order.
func removeSlot(l []member, slot int32) []member {
	for i := range l {
		if l[i].slot == slot {
			l[i] = l[len(l)-1]
			return l[:len(l)-1]
		}
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
		rec.entries = make([]entry, 0, len(v.Affected))
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
			e.bucket = getBucket(ix.purlBuckets, e.key)
			e.bucket.addEntry(ref)
		case e.key != "":
			e.bucket = getBucket(ix.cpeBuckets, e.key)
			e.bucket.addEntry(ref)
		default:
			ix.wild = append(ix.wild, ref)
		}
	}
	return slot
}

// addEntry files an entry in b. Until the stab index is rebuilt, a new
// entry is one of the others, checked one by one; past a few of those,
// the index is rebuilt when next needed.
func (b *bucket) addEntry(ref entryRef) {
	b.entries = append(b.entries, ref)
	if !b.stabDirty {
		b.other = append(b.other, ref)
		if len(b.other) > 64+len(b.entries)/16 {
			b.stabDirty = true
		}
	}
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
			b.stabDirty = true
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
// once (with its lowest Affected index). With seen (one entry per asset
// slot, mark not in it yet) repeats are dropped as they come; without, by
// sorting by slot at the end.
func (ix *Index) vulnHits(rec *vulnRec, buf []hit, seen []int32, mark int32) []hit {
	buf = buf[:0]
	for i := range rec.entries {
		e := &rec.entries[i]
		from := len(buf)
		switch {
		case e.isPURL:
			buf = ix.purlHits(e, e.bucket, buf)
		case e.key != "":
			buf = ix.cpeHits(e, e.bucket, buf)
		default:
			for slot := range ix.assets {
				a := &ix.assets[slot]
				if a.live && a.a.CPE != nil && e.coversCPE(a.a.CPE, a.cpeVer) {
					buf = append(buf, hit{int32(slot), e.idx})
				}
			}
		}
		if seen != nil && len(rec.entries) > 1 {
			kept := buf[:from]
			for _, h := range buf[from:] {
				if seen[h.slot] != mark {
					seen[h.slot] = mark
					kept = append(kept, h)
				}
			}
			buf = kept
		}
	}
	if seen == nil && len(rec.entries) > 1 && len(buf) > 1 {
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
	// name checks the attributes other than the version.
	name := func(m member) bool {
		if e.partOnly {
			return e.part == 0 || e.part == m.part
		}
		return e.coversName(ix.assets[m.slot].a.CPE)
	}
	switch {
	case e.ver.Kind() == product.KindString && !e.ver.HasWildcards():
		// An exact version in the criteria: the assets with that version.
		for _, m := range b.byRaw[e.verKey] {
			if name(m) && e.inSet(ix.assets[m.slot].cpeVer) {
				buf = append(buf, hit{m.slot, e.idx})
			}
		}
	case e.ver.Kind() == product.KindAny && e.set.all():
		for _, m := range b.all {
			if name(m) {
				buf = append(buf, hit{m.slot, e.idx})
			}
		}
	case e.ver.Kind() == product.KindAny && e.set.scheme != Git:
		var check func(int32) bool // nil: rangeHits compares the part itself
		if !e.partOnly {
			check = func(slot int32) bool { return e.coversName(ix.assets[slot].a.CPE) }
		}
		buf = rangeHits(e, &b.orders[e.set.scheme], buf, check)
	default: // NA or wildcard version, or Git commits: check each
		for _, m := range b.all {
			if a := &ix.assets[m.slot]; name(m) && e.coversVersion(a.a.CPE.Version, a.cpeVer) {
				buf = append(buf, hit{m.slot, e.idx})
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
		if len(e.quals) == 0 && e.subpath == "" {
			check = nil // the key and the version say it all
		}
		return rangeHits(e, &b.orders[e.set.scheme], buf, check)
	}
	for _, m := range b.all {
		if check(m.slot) {
			buf = append(buf, hit{m.slot, e.idx})
		}
	}
	return buf
}

// rangeHits appends the assets in o whose keys lie in e's intervals and
// that pass check; with check nil, those whose part e.part covers (all of
// them for a package, whose part is 0 as e.part is).
func rangeHits(e *entry, o *order, buf []hit, check func(int32) bool) []hit {
	for _, iv := range e.set.ivs {
		// Find both ends by binary search, so that the assets between
		// need no comparison of keys.
		i, j := 0, len(o.keys)
		if !iv.lo.inf {
			if iv.lo.incl {
				i = sortSearch(o.keys, iv.lo.key, false)
			} else {
				i = sortSearch(o.keys, iv.lo.key, true)
			}
		}
		if !iv.hi.inf {
			j = sortSearch(o.keys, iv.hi.key, iv.hi.incl)
		}
		for ; i < j; i++ {
			if check == nil {
				if e.part == 0 || e.part == o.parts[i] {
					buf = append(buf, hit{o.slots[i], e.idx})
				}
			} else if check(o.slots[i]) {
				buf = append(buf, hit{o.slots[i], e.idx})
			}
		}
	}
	return buf
}

// sortSearch returns the index of the first key in keys (sorted) above k
// when after is set, else the first at or above k.
func sortSearch(keys []string, k string, after bool) int {
	lo, hi := 0, len(keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		c := strings.Compare(keys[m], k)
		if c < 0 || c == 0 && after {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// vulnMatch is one vulnerability affecting an asset.
type vulnMatch struct {
	vuln  int32
	entry int32 // the Affected index
}

// assetHits appends to buf the vulnerabilities affecting the asset in
// slot, each once (with its lowest Affected index), sorted by slot.
// build says the caller holds the write lock, so that the buckets' stab
// indexes may be rebuilt; without it a bucket whose index is out of date
// is searched entry by entry.
func (ix *Index) assetHits(slot int32, buf []vulnMatch, build bool) []vulnMatch {
	buf = buf[:0]
	a := &ix.assets[slot]
	var ok func(e *entry) bool // the whole check of one entry
	add := func(ref entryRef, check func(e *entry) bool) {
		e := &ix.vulns[ref.vuln].entries[ref.idx]
		if check(e) {
			buf = append(buf, vulnMatch{ref.vuln, e.idx})
		}
	}
	// search finds the entries of bucket b that cover the asset: through
	// the stab index for ranged entries (which then need only the name,
	// or for a package the qualifiers, checked), one by one for others.
	search := func(b *bucket, vs versions, name func(e *entry) bool) {
		if b == nil {
			return
		}
		if build {
			ix.buildStab(b)
		}
		if b.stabDirty {
			for _, ref := range b.entries {
				add(ref, ok)
			}
			return
		}
		if vs.known {
			for s, x := range b.stab {
				if x != nil {
					x.stab(vs.keys[s], func(ref entryRef) { add(ref, name) })
				}
			}
		}
		for _, ref := range b.other {
			add(ref, ok)
		}
	}
	if c := a.a.CPE; c != nil {
		ok = func(e *entry) bool { return e.coversName(c) && e.coversVersion(c.Version, a.cpeVer) }
		search(ix.cpeBuckets[cpeKey(c)], a.cpeVer, func(e *entry) bool { return e.coversName(c) })
		for _, ref := range ix.wild {
			add(ref, func(e *entry) bool { return e.coversCPE(c, a.cpeVer) })
		}
	}
	if p := a.a.PURL; p != nil {
		ok = func(e *entry) bool { return e.coversPURL(p, a.purlVer) }
		search(ix.purlBuckets[purlKey(*p)], a.purlVer, ok)
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
	a := &ix.ids[slot]
	return Pair{Asset: a.id, Org: a.org, Sector: a.sector, Vuln: vuln, Affected: int(entry)}
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
		seen := make([]int32, len(ix.assets))
		for i := range ix.vulns {
			rec := &ix.vulns[i]
			if !rec.live || len(rec.entries) == 0 {
				continue
			}
			buf = ix.vulnHits(rec, buf, seen, int32(i)+1)
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
	hits := ix.vulnHits(rec, nil, nil, 0)
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
	return ix.assetPairs(slot, false)
}

// assetPairs returns the pairs of the asset in slot; build says the
// caller holds the write lock (see assetHits).
func (ix *Index) assetPairs(slot int32, build bool) []Pair {
	ms := ix.assetHits(slot, nil, build)
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
		old = ix.assetPairs(slot, true)
		ix.deleteAsset(slot)
	}
	return diff(old, ix.assetPairs(ix.insertAsset(a, true), true)), nil
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
	old := ix.assetPairs(slot, true)
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
