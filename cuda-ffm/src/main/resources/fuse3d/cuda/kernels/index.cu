// Gather, scatter and index_put kernels of the CUDA backend (torch.gather / scatter_reduce / index_put_ semantics,
// as fuse3d.tensor.cpu.CpuBackend). Indices are int64 and already wrapped and range-checked on the Java side.
// A multi-dim index tensor of shape S is walked in row-major order; meta holds S[ndim], then the strides of x (or
// of the output) for the same dims; along `dim` the index value replaces the coordinate.
// Scatter reductions run with atomics, so float sums may differ from the CPU's left-to-right order by rounding.

#define SC_SUM 0
#define SC_AMAX 1
#define SC_AMIN 2
#define SC_ASSIGN 3

__device__ __forceinline__ long long offset_with_index(long long i, const long long* shape, const long long* strides, int ndim, int dim,
                                                       long long index) {
    long long off = 0;
    for (int d = ndim - 1; d >= 0; --d) {
        long long c = i % shape[d];
        i /= shape[d];
        off += (d == dim ? index : c) * strides[d];
    }
    return off;
}

// out[i] = x[..., index[i], ...] along dim; out and index contiguous of one shape; meta = index shape, x strides.
extern "C" __global__ void gather_f32(const float* __restrict__ x, const long long* __restrict__ index, float* __restrict__ out,
                                      const long long* __restrict__ meta, int ndim, int dim, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        out[i] = x[offset_with_index(i, meta, meta + ndim, ndim, dim, index[i])];
}

// A float atomic max/min by compare-and-swap on the bit pattern; NaN wins, as torch's amax.
__device__ __forceinline__ void atomic_ext(float* addr, float v, int isMax) {
    int* ai = (int*)addr;
    int old = *ai, assumed;
    do {
        assumed = old;
        float cur = __int_as_float(assumed);
        if (isnan(cur)) return;
        bool replace = isnan(v) || (isMax ? v > cur : v < cur);
        if (!replace) return;
        old = atomicCAS(ai, assumed, __float_as_int(v));
    } while (assumed != old);
}

// out[..., index[i], ...] (op)= src[i] along dim; src read through its own strides (meta = index shape, out strides,
// src strides). The output starts as a copy of x (include_self) or as the reduction's identity, set by the caller.
extern "C" __global__ void scatter_reduce_f32(float* __restrict__ out, const long long* __restrict__ index, const float* __restrict__ src,
                                              const long long* __restrict__ meta, int ndim, int dim, long long n, int op) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        float v = src[offset_with_index(i, meta, meta + 2 * ndim, ndim, -1, 0)];
        float* o = out + offset_with_index(i, meta, meta + ndim, ndim, dim, index[i]);
        switch (op) {
            case SC_SUM: atomicAdd(o, v); break;
            case SC_AMAX: atomic_ext(o, v, 1); break;
            case SC_AMIN: atomic_ext(o, v, 0); break;
            default: *o = v; break;  // assign: with duplicate indices the winner is unspecified, as in torch on CUDA
        }
    }
}

// Counts per output slot for scatter mean (the caller divides afterwards).
extern "C" __global__ void scatter_count_f32(float* __restrict__ count, const long long* __restrict__ index, const long long* __restrict__ meta,
                                             int ndim, int dim, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        atomicAdd(count + offset_with_index(i, meta, meta + ndim, ndim, dim, index[i]), 1.f);
}

// x[idx_0[r], ..., idx_{k-1}[r], :] (+)= values[r, :]: the k leading dims of x are indexed, the rest ("inner"
// elements per row) are copied whole. idx is [k, n] contiguous int64 (broadcast on the Java side), values [n, inner];
// meta = the row strides of the k indexed dims in units of elements of x.
extern "C" __global__ void index_put_f32(float* __restrict__ x, const long long* __restrict__ idx, const float* __restrict__ values,
                                         const long long* __restrict__ meta, int k, long long n, long long inner, int accumulate) {
    long long total = n * inner;
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x) {
        long long r = t / inner, c = t % inner;
        long long off = c;
        for (int d = 0; d < k; ++d) off += idx[d * n + r] * meta[d];
        if (accumulate) atomicAdd(x + off, values[t]);
        else x[off] = values[t];
    }
}

// out[r, :] = x[rows[r], :]: row gather of a contiguous [*, c] matrix (index_select along dim 0, embedding).
extern "C" __global__ void gather_rows_f32(const float* __restrict__ x, const int* __restrict__ rows, float* __restrict__ out, int n, int c) {
    long long total = (long long)n * c;
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x) {
        long long r = t / c;
        out[t] = x[(long long)rows[r] * c + t % c];
    }
}

// out[rows[r], :] += x[r, :] with atomics (rows may repeat).
extern "C" __global__ void scatter_add_rows_f32(const float* __restrict__ x, const int* __restrict__ rows, float* __restrict__ out, int n, int c) {
    long long total = (long long)n * c;
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x) {
        long long r = t / c;
        atomicAdd(out + (long long)rows[r] * c + t % c, x[t]);
    }
}
