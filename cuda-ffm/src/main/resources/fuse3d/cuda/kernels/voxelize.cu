// Hard voxelization on the GPU with the semantics of fuse3d.sparse.voxel.Voxelizer (spconv's Point2VoxelCPU3d, as
// OpenPCDet uses it): voxels are numbered in the order of their first point, at most maxVoxels are opened, and each
// keeps its first maxPointsPerVoxel points in input order. Order-dependent rules on a parallel machine, so the
// pipeline reaches them through order-free steps:
//   1. vox_point_keys     cell key per point (z, y, x linearised), -1 outside; float32 math as the CPU reference
//   2. vox_hash_insert    key -> min point index in an open-addressing table (atomicCAS on the key, atomicMin)
//   3. vox_mark_first     flag[i] = 1 when point i is the first of its voxel
//   4. scan (reduce.cu)   exclusive scan of the flags: the voxel id of each first point, in point order
//   5. vox_assign         voxel of every point (-1 beyond maxVoxels), coordinates written by first points
//   6. vox_count, scan    points per voxel and CSR offsets; vox_fill_lists appends point ids (unordered)
//   7. vox_select_gather  per voxel, the maxPointsPerVoxel smallest point ids in order, features copied
// The table has a power-of-two capacity of at least twice the points; the key -1 marks an empty slot.

#define EMPTY_KEY (-1LL)

__device__ __forceinline__ unsigned long long mix64(unsigned long long k) {
    // splitmix64's finaliser: neighbouring cells land far apart, so linear probing stays short
    k ^= k >> 30; k *= 0xbf58476d1ce4e5b9ULL;
    k ^= k >> 27; k *= 0x94d049bb133111ebULL;
    k ^= k >> 31;
    return k;
}

// The slot holding key (inserting it when insert != 0), or -1 when absent / the table is full.
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

// 1. key of each point's cell, or -1; grid = (nx, ny, nz), key = (z * ny + y) * nx + x as VoxelGrid.key.
extern "C" __global__ void vox_point_keys(const float* __restrict__ pts, int n, int f, float minX, float minY, float minZ,
                                          float sizeX, float sizeY, float sizeZ, int nx, int ny, int nz, long long* __restrict__ keys) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        const float* p = pts + (long long)i * f;
        // __fdiv_rn / __fsub_rn: IEEE float32 rounding with no contraction, the same bits as the Java reference
        float cx = floorf(__fdiv_rn(__fsub_rn(p[0], minX), sizeX));
        float cy = floorf(__fdiv_rn(__fsub_rn(p[1], minY), sizeY));
        float cz = floorf(__fdiv_rn(__fsub_rn(p[2], minZ), sizeZ));
        bool in = cx >= 0.f && cx < (float)nx && cy >= 0.f && cy < (float)ny && cz >= 0.f && cz < (float)nz;  // false for NaN
        keys[i] = in ? ((long long)cz * ny + (long long)cy) * nx + (long long)cx : EMPTY_KEY;
    }
}

// 2. inserts every valid key; tableMin[slot] = the smallest point index of that key (initialised to INT_MAX).
extern "C" __global__ void vox_hash_insert(const long long* __restrict__ keys, int n, long long* tableKeys, int* tableMin, int capacity) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        long long k = keys[i];
        if (k == EMPTY_KEY) continue;
        int s = hash_slot(tableKeys, capacity, k, 1);
        if (s >= 0) atomicMin(tableMin + s, i);
    }
}

// 3. flag[i] = 1 when point i opens its voxel.
extern "C" __global__ void vox_mark_first(const long long* __restrict__ keys, int n, long long* tableKeys, const int* __restrict__ tableMin,
                                          int capacity, int* __restrict__ flag) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        long long k = keys[i];
        int s = k == EMPTY_KEY ? -1 : hash_slot(tableKeys, capacity, k, 0);
        flag[i] = (s >= 0 && tableMin[s] == i) ? 1 : 0;
    }
}

// 5. voxelOfPoint[i] = the rank of its voxel's first point among first points, or -1 (outside, or beyond maxVoxels);
// first points write their voxel's coordinates (z, y, x).
extern "C" __global__ void vox_assign(const long long* __restrict__ keys, int n, long long* tableKeys, const int* __restrict__ tableMin,
                                      int capacity, const int* __restrict__ firstRank, int maxVoxels, int nx, int ny,
                                      int* __restrict__ voxelOfPoint, int* __restrict__ coords) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        long long k = keys[i];
        int v = -1;
        if (k != EMPTY_KEY) {
            int s = hash_slot(tableKeys, capacity, k, 0);
            int first = tableMin[s];
            int r = firstRank[first];
            if (r < maxVoxels) {
                v = r;
                if (first == i) {
                    coords[3 * v] = (int)(k / ((long long)nx * ny));
                    coords[3 * v + 1] = (int)((k / nx) % ny);
                    coords[3 * v + 2] = (int)(k % nx);
                }
            }
        }
        voxelOfPoint[i] = v;
    }
}

// 6a. points per voxel.
extern "C" __global__ void vox_count(const int* __restrict__ voxelOfPoint, int n, int* __restrict__ counts) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        int v = voxelOfPoint[i];
        if (v >= 0) atomicAdd(counts + v, 1);
    }
}

// 6b. appends each point id to its voxel's list (cursor starts at 0 per voxel; list order is arbitrary here).
extern "C" __global__ void vox_fill_lists(const int* __restrict__ voxelOfPoint, int n, const int* __restrict__ offsets, int* __restrict__ cursor,
                                          int* __restrict__ lists) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        int v = voxelOfPoint[i];
        if (v >= 0) lists[offsets[v] + atomicAdd(cursor + v, 1)] = i;
    }
}

// 7. one thread per voxel: picks the p smallest point ids of its list in increasing order (O(count * p) selection:
// counts are small and p smaller), copies their f features into voxels[v, slot, :], zero-fills the rest, and
// writes numPoints[v] = min(count, p).
extern "C" __global__ void vox_select_gather(const int* __restrict__ lists, const int* __restrict__ offsets, const int* __restrict__ counts,
                                             int m, int p, const float* __restrict__ pts, int f, float* __restrict__ voxels,
                                             int* __restrict__ numPoints) {
    for (int v = blockIdx.x * blockDim.x + threadIdx.x; v < m; v += gridDim.x * blockDim.x) {
        const int* l = lists + offsets[v];
        int cnt = counts[v];
        int taken = 0, last = -1;
        while (taken < p && taken < cnt) {
            int best = 0x7fffffff;
            for (int j = 0; j < cnt; ++j) { int id = l[j]; if (id > last && id < best) best = id; }
            float* dst = voxels + ((long long)v * p + taken) * f;
            const float* src = pts + (long long)best * f;
            for (int c = 0; c < f; ++c) dst[c] = src[c];
            last = best;
            ++taken;
        }
        for (int s = taken; s < p; ++s)
            for (int c = 0; c < f; ++c) voxels[((long long)v * p + s) * f + c] = 0.f;
        numPoints[v] = taken;
    }
}
