// Sparse-convolution rulebooks (kernel maps) on the GPU, with the same pairs in the same order as
// fuse3d.sparse.conv.Rulebook builds on the CPU:
//  - submanifold: offset k < centre pairs (in = neighbour of i at +off_k, out = i) in output row order; the mirrored
//    offset k > centre pairs (in = i, out = the row at c_i - off_k) in input row order; the centre is (i, i).
//  - regular (strided): per offset, pairs in input row order; output sites unique and sorted by (batch, spatial...).
// Active sites live in a GPU hash table (open addressing, linear probing, atomicCAS on 64-bit keys; key -1 = empty)
// keyed by the linearised (batch, spatial...) coordinate. Every stage writes a dense [K, n] map (-1 = no pair) first,
// and an exclusive scan over its flags compacts it, so the order never depends on thread scheduling.
//
// geo (int32, device): 0 nd, then in shape [nd], out shape [nd], kernel [nd], stride [nd], padding [nd], dilation [nd].
// Indices are int32 rows [n, 1 + nd]: batch, then spatial coordinates.

#define EMPTY_KEY (-1LL)
#define MAX_ND 4

__device__ __forceinline__ unsigned long long mix64(unsigned long long k) {
    k ^= k >> 30; k *= 0xbf58476d1ce4e5b9ULL;
    k ^= k >> 27; k *= 0x94d049bb133111ebULL;
    k ^= k >> 31;
    return k;
}

__device__ __forceinline__ int hash_slot(long long* keys, int capacity, long long key, int insert) {
    unsigned mask = (unsigned)capacity - 1u;
    unsigned s = (unsigned)mix64((unsigned long long)key) & mask;
    for (int probe = 0; probe < capacity; ++probe) {
        long long cur = keys[s];
        if (cur == key) return (int)s;
        if (cur == EMPTY_KEY) {
            if (!insert) return -1;
            long long prev = (long long)atomicCAS((unsigned long long*)(keys + s), (unsigned long long)EMPTY_KEY, (unsigned long long)key);
            if (prev == EMPTY_KEY || prev == key) return (int)s;
        }
        s = (s + 1u) & mask;
    }
    return -1;
}

// Offset k's kernel index along dim d (row-major over the kernel).
__device__ __forceinline__ int kernel_index(int k, int d, int nd, const int* ks) {
    for (int e = nd - 1; e > d; --e) k /= ks[e];
    return k % ks[d];
}

// Inserts every active input site: key -> row.
extern "C" __global__ void rb_build_table(const int* __restrict__ ind, int n, const int* __restrict__ geo, long long* tableKeys,
                                          int* __restrict__ tableVals, int capacity) {
    int nd = geo[0];
    const int* shape = geo + 1;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        const int* row = ind + (long long)i * (nd + 1);
        long long key = row[0];
        for (int d = 0; d < nd; ++d) key = key * shape[d] + row[1 + d];
        int s = hash_slot(tableKeys, capacity, key, 1);
        if (s >= 0) tableVals[s] = i;
    }
}

// Submanifold map [K, n]: the partner row of site i at offset k (see the header), or -1.
extern "C" __global__ void rb_subm_map(const int* __restrict__ ind, int n, const int* __restrict__ geo, long long* tableKeys,
                                       const int* __restrict__ tableVals, int capacity, int* __restrict__ map) {
    int nd = geo[0];
    const int* shape = geo + 1;
    const int* ks = geo + 1 + 2 * nd;
    const int* dil = geo + 1 + 5 * nd;
    int vol = 1;
    for (int d = 0; d < nd; ++d) vol *= ks[d];
    int centre = (vol - 1) / 2;
    long long total = (long long)vol * n;
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x) {
        int k = (int)(t / n), i = (int)(t % n);
        if (k == centre) { map[t] = i; continue; }
        int sign = k < centre ? 1 : -1;
        const int* row = ind + (long long)i * (nd + 1);
        long long key = row[0];
        bool inside = true;
        for (int d = 0; d < nd; ++d) {
            int off = (kernel_index(k, d, nd, ks) - (ks[d] - 1) / 2) * dil[d];
            int c = row[1 + d] + sign * off;
            if (c < 0 || c >= shape[d]) { inside = false; break; }
            key = key * shape[d] + c;
        }
        int s = inside ? hash_slot(tableKeys, capacity, key, 0) : -1;
        map[t] = s >= 0 ? tableVals[s] : -1;
    }
}

// Regular map [K, n]: the output key that input i feeds through offset k, or -1.
extern "C" __global__ void rb_regular_map(const int* __restrict__ ind, int n, const int* __restrict__ geo, long long* __restrict__ outKeys) {
    int nd = geo[0];
    const int* oshape = geo + 1 + nd;
    const int* ks = geo + 1 + 2 * nd;
    const int* st = geo + 1 + 3 * nd;
    const int* pad = geo + 1 + 4 * nd;
    const int* dil = geo + 1 + 5 * nd;
    int vol = 1;
    for (int d = 0; d < nd; ++d) vol *= ks[d];
    long long total = (long long)vol * n;
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x) {
        int k = (int)(t / n), i = (int)(t % n);
        const int* row = ind + (long long)i * (nd + 1);
        long long key = row[0];
        bool ok = true;
        for (int d = 0; d < nd && ok; ++d) {
            int num = row[1 + d] + pad[d] - kernel_index(k, d, nd, ks) * dil[d];
            if (num < 0 || num % st[d] != 0) { ok = false; break; }
            int o = num / st[d];
            if (o >= oshape[d]) { ok = false; break; }
            key = key * oshape[d] + o;
        }
        outKeys[t] = ok ? key : EMPTY_KEY;
    }
}

// Inserts keys (skipping -1) into a table: the candidate output sites, deduplicated.
extern "C" __global__ void rb_insert_keys(const long long* __restrict__ keys, long long count, long long* tableKeys, int capacity) {
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < count; t += (long long)gridDim.x * blockDim.x) {
        long long k = keys[t];
        if (k != EMPTY_KEY) hash_slot(tableKeys, capacity, k, 1);
    }
}

// flags[i] = keys[i] != -1 (table slots in use, for compaction).
extern "C" __global__ void rb_flag_keys(const long long* __restrict__ keys, long long count, int* __restrict__ flags) {
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < count; t += (long long)gridDim.x * blockDim.x)
        flags[t] = keys[t] != EMPTY_KEY ? 1 : 0;
}

// flags[i] = map[i] >= 0 (pairs present, for compaction).
extern "C" __global__ void rb_flag_rows(const int* __restrict__ map, long long count, int* __restrict__ flags) {
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < count; t += (long long)gridDim.x * blockDim.x)
        flags[t] = map[t] >= 0 ? 1 : 0;
}

// out[pos[i]] = keys[i] for the flagged keys; the tail up to padded (a power of two for the sort) gets LLONG_MAX.
extern "C" __global__ void rb_compact_keys(const long long* __restrict__ keys, long long count, const int* __restrict__ pos,
                                           long long* __restrict__ out, int m, int padded) {
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < count; t += (long long)gridDim.x * blockDim.x)
        if (keys[t] != EMPTY_KEY) out[pos[t]] = keys[t];
    for (long long t = m + blockIdx.x * (long long)blockDim.x + threadIdx.x; t < padded; t += (long long)gridDim.x * blockDim.x)
        out[t] = 0x7fffffffffffffffLL;
}

// One compare-exchange step (j, k) of a bitonic sort of n (a power of two) int64 keys, ascending.
extern "C" __global__ void sort_bitonic_i64(long long* __restrict__ keys, int n, int j, int k) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        int l = i ^ j;
        if (l <= i) continue;
        long long a = keys[i], b = keys[l];
        bool up = (i & k) == 0;
        if ((up && a > b) || (!up && a < b)) { keys[i] = b; keys[l] = a; }
    }
}

// tableVals[slot(sorted[r])] = r: the row of each output site.
extern "C" __global__ void rb_rank_keys(const long long* __restrict__ sorted, int m, long long* tableKeys, int* __restrict__ tableVals, int capacity) {
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < m; r += gridDim.x * blockDim.x) {
        int s = hash_slot(tableKeys, capacity, sorted[r], 0);
        if (s >= 0) tableVals[s] = r;
    }
}

// rows[i] = the output row of keys[i], -1 for -1.
extern "C" __global__ void rb_lookup_keys(const long long* __restrict__ keys, long long count, long long* tableKeys, const int* __restrict__ tableVals,
                                          int capacity, int* __restrict__ rows) {
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < count; t += (long long)gridDim.x * blockDim.x) {
        long long k = keys[t];
        int s = k == EMPTY_KEY ? -1 : hash_slot(tableKeys, capacity, k, 0);
        rows[t] = s >= 0 ? tableVals[s] : -1;
    }
}

// Compacts the [K, n] map into pair lists using pos (the exclusive scan of its flags): mode 0 submanifold (pair
// orientation by offset, see the header), mode 1 regular (in = i, out = map).
extern "C" __global__ void rb_compact_pairs(const int* __restrict__ map, int vol, int n, int mode, const int* __restrict__ pos,
                                            int* __restrict__ pairIn, int* __restrict__ pairOut) {
    int centre = (vol - 1) / 2;
    long long total = (long long)vol * n;
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x) {
        int j = map[t];
        if (j < 0) continue;
        int k = (int)(t / n), i = (int)(t % n);
        int p = pos[t];
        if (mode == 0 && k < centre) { pairIn[p] = j; pairOut[p] = i; }
        else if (mode == 0 && k == centre) { pairIn[p] = i; pairOut[p] = i; }
        else { pairIn[p] = i; pairOut[p] = j; }
    }
}

// Output site indices [m, 1 + nd] from sorted keys (batch first).
extern "C" __global__ void rb_decode_keys(const long long* __restrict__ keys, int m, const int* __restrict__ geo, int* __restrict__ outIndices) {
    int nd = geo[0];
    const int* oshape = geo + 1 + nd;
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < m; r += gridDim.x * blockDim.x) {
        long long key = keys[r];
        for (int d = nd - 1; d >= 0; --d) { outIndices[(long long)r * (nd + 1) + 1 + d] = (int)(key % oshape[d]); key /= oshape[d]; }
        outIndices[(long long)r * (nd + 1)] = (int)key;
    }
}
