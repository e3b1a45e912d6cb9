// Row reductions of the CUDA backend. The Java side permutes the reduced dims last and makes the input a
// contiguous [rows, cols] matrix, so one kernel covers every dim set: one block per row, a strided loop over the
// row, then a warp-shuffle tree within each warp and one more across warps through shared memory.
// Op codes are fuse3d.tensor.ReduceOp ordinals (checked by KernelSourcesTest). NaN propagates through AMAX/AMIN as
// torch.amax does.

#define R_SUM 0
#define R_PROD 1
#define R_AMAX 2
#define R_AMIN 3
#define R_ANY 4
#define R_ALL 5
#define R_LOGSUMEXP 6
#define R_SUM_SQUARED_DEVIATION 7
#define R_NORM 8

#define FULL_MASK 0xffffffffu

__device__ __forceinline__ float qnan() { return __int_as_float(0x7fc00000); }

__device__ __forceinline__ float combine(int op, float a, float b) {
    switch (op) {
        case R_PROD: return a * b;
        case R_AMAX: return (isnan(a) || isnan(b)) ? qnan() : fmaxf(a, b);
        case R_AMIN: return (isnan(a) || isnan(b)) ? qnan() : fminf(a, b);
        case R_ANY: return (a != 0.f || b != 0.f) ? 1.f : 0.f;
        case R_ALL: return (a != 0.f && b != 0.f) ? 1.f : 0.f;
        default: return a + b;  // SUM, and the sums that LOGSUMEXP, SUM_SQUARED_DEVIATION and NORM reduce to
    }
}

__device__ __forceinline__ float identity(int op) {
    switch (op) {
        case R_PROD: case R_ALL: return 1.f;
        case R_AMAX: return -__int_as_float(0x7f800000);
        case R_AMIN: return __int_as_float(0x7f800000);
        default: return 0.f;
    }
}

__device__ __forceinline__ float warp_reduce(int op, float v) {
    for (int off = 16; off > 0; off >>= 1) v = combine(op, v, __shfl_down_sync(FULL_MASK, v, off));
    return v;
}

// The block-wide combination of v; every thread gets the result. Needs blockDim.x a multiple of 32, <= 1024.
__device__ float block_reduce(int op, float v) {
    __shared__ float partial[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    v = warp_reduce(op, v);
    __syncthreads();  // partial may still be read by a previous call
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    int warps = (blockDim.x + 31) >> 5;
    v = threadIdx.x < warps ? partial[threadIdx.x] : identity(op);
    if (warp == 0) v = warp_reduce(op, v);
    if (threadIdx.x == 0) partial[0] = v;
    __syncthreads();
    return partial[0];
}

// out[r] = reduce(x[r, :]). For LOGSUMEXP the row max is found first; for SUM_SQUARED_DEVIATION the row mean;
// NORM uses the exponent p (inf / -inf: max / min of |x|; 0: count of non-zeros).
extern "C" __global__ void reduce_rows_f32(const float* __restrict__ x, float* __restrict__ out, long long rows, long long cols, int op, float p) {
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* row = x + r * cols;
        float acc;
        if (op == R_LOGSUMEXP) {
            float m = identity(R_AMAX);
            for (long long c = threadIdx.x; c < cols; c += blockDim.x) m = combine(R_AMAX, m, row[c]);
            m = block_reduce(R_AMAX, m);
            float s = 0.f;
            if (isinf(m)) {
                acc = m;  // all -inf gives -inf; any +inf gives +inf, as torch.logsumexp
            } else {
                for (long long c = threadIdx.x; c < cols; c += blockDim.x) s += expf(row[c] - m);
                s = block_reduce(R_SUM, s);
                acc = m + logf(s);
            }
        } else if (op == R_SUM_SQUARED_DEVIATION) {
            float s = 0.f;
            for (long long c = threadIdx.x; c < cols; c += blockDim.x) s += row[c];
            float mean = block_reduce(R_SUM, s) / (float)cols;
            float q = 0.f;
            for (long long c = threadIdx.x; c < cols; c += blockDim.x) { float d = row[c] - mean; q += d * d; }
            acc = block_reduce(R_SUM, q);
        } else if (op == R_NORM) {
            bool inf = isinf(p);
            int inner = inf ? (p > 0.f ? R_AMAX : R_AMIN) : R_SUM;
            float a = identity(inner);
            for (long long c = threadIdx.x; c < cols; c += blockDim.x) {
                float v = fabsf(row[c]);
                a = combine(inner, a, inf ? v : (p == 0.f ? (v != 0.f ? 1.f : 0.f) : (p == 1.f ? v : (p == 2.f ? v * v : powf(v, p)))));
            }
            a = block_reduce(inner, a);
            acc = (inf || p == 0.f || p == 1.f) ? a : (p == 2.f ? sqrtf(a) : powf(a, 1.f / p));
        } else {
            float a = identity(op);
            for (long long c = threadIdx.x; c < cols; c += blockDim.x) {
                float v = row[c];
                if (op == R_ANY || op == R_ALL) v = v != 0.f ? 1.f : 0.f;
                a = combine(op, a, v);
            }
            acc = block_reduce(op, a);
        }
        if (threadIdx.x == 0) out[r] = acc;
    }
}

// Max (isMax = 1) or min along the last dim with the index of the first extreme; NaN counts as the extreme and the
// first NaN wins, as the CPU reference and torch.max(dim).
extern "C" __global__ void reduce_rows_argext_f32(const float* __restrict__ x, float* __restrict__ values, long long* __restrict__ indices,
                                                  long long rows, long long cols, int isMax) {
    __shared__ float sv[32];
    __shared__ long long si[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* row = x + r * cols;
        float best = 0.f;
        long long bi = -1;
        for (long long c = threadIdx.x; c < cols; c += blockDim.x) {
            float v = row[c];
            bool better = bi < 0 || (!isnan(best) && (isnan(v) || (isMax ? v > best : v < best)));
            if (better) { best = v; bi = c; }
        }
        // merge (value, index) pairs: the better value wins; equal values (or two NaNs) keep the lower index
        for (int off = 16; off > 0; off >>= 1) {
            float ov = __shfl_down_sync(FULL_MASK, best, off);
            long long oi = __shfl_down_sync(FULL_MASK, bi, off);
            if (oi >= 0) {
                bool take;
                if (bi < 0) take = true;
                else if (isnan(best)) take = isnan(ov) && oi < bi;
                else if (isnan(ov)) take = true;
                else take = (isMax ? ov > best : ov < best) || (ov == best && oi < bi);
                if (take) { best = ov; bi = oi; }
            }
        }
        int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
        __syncthreads();
        if (lane == 0) { sv[warp] = best; si[warp] = bi; }
        __syncthreads();
        if (threadIdx.x == 0) {
            int warps = (blockDim.x + 31) >> 5;
            best = sv[0];
            bi = si[0];
            for (int w = 1; w < warps; ++w) {
                float ov = sv[w];
                long long oi = si[w];
                if (oi < 0) continue;
                bool take;
                if (bi < 0) take = true;
                else if (isnan(best)) take = isnan(ov) && oi < bi;
                else if (isnan(ov)) take = true;
                else take = (isMax ? ov > best : ov < best) || (ov == best && oi < bi);
                if (take) { best = ov; bi = oi; }
            }
            values[r] = best;
            indices[r] = bi;
        }
    }
}

// Inclusive cumulative sum along the last dim of a contiguous [rows, cols] matrix: one thread per row, sequential in
// the row's order so the rounding matches the CPU reference's left-to-right sum.
extern "C" __global__ void cumsum_rows_f32(const float* __restrict__ x, float* __restrict__ out, long long rows, long long cols) {
    for (long long r = blockIdx.x * (long long)blockDim.x + threadIdx.x; r < rows; r += (long long)gridDim.x * blockDim.x) {
        float s = 0.f;
        for (long long c = 0; c < cols; ++c) { s += x[r * cols + c]; out[r * cols + c] = s; }
    }
}

// Exclusive prefix sum of int32, stage 1: each block of 1024 scans its own chunk and writes its total.
// Stage 2 scans the block totals (this kernel again, recursively from Java) and stage 3 adds them back.
extern "C" __global__ void scan_block_i32(const int* __restrict__ in, int* __restrict__ out, int* __restrict__ blockSums, int n) {
    __shared__ int buf[1024];
    __shared__ int warpSums[32];
    int i = blockIdx.x * 1024 + threadIdx.x;
    int v = i < n ? in[i] : 0;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    int incl = v;
    for (int off = 1; off < 32; off <<= 1) {
        int o = __shfl_up_sync(FULL_MASK, incl, off);
        if (lane >= off) incl += o;
    }
    if (lane == 31) warpSums[warp] = incl;
    __syncthreads();
    if (warp == 0) {
        int w = warpSums[lane];
        for (int off = 1; off < 32; off <<= 1) {
            int o = __shfl_up_sync(FULL_MASK, w, off);
            if (lane >= off) w += o;
        }
        warpSums[lane] = w;  // inclusive over warps
    }
    __syncthreads();
    int before = warp > 0 ? warpSums[warp - 1] : 0;
    buf[threadIdx.x] = before + incl - v;
    if (i < n) out[i] = buf[threadIdx.x];
    if (threadIdx.x == 1023 && blockSums != 0) blockSums[blockIdx.x] = before + incl;
}

// Stage 3 of the scan: adds each block's scanned offset to its chunk.
extern "C" __global__ void scan_add_i32(int* __restrict__ out, const int* __restrict__ blockOffsets, int n) {
    int i = blockIdx.x * 1024 + threadIdx.x;
    if (i < n && blockIdx.x > 0) out[i] += blockOffsets[blockIdx.x];
}
