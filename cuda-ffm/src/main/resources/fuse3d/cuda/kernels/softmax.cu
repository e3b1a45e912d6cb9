// Softmax and log-softmax along the last dim of a contiguous [rows, cols] matrix (the Java side moves the softmax
// dim last), with their backward. One block per row: max, sum of exp, then the normalised write, each a block
// reduction built on warp shuffles. Matches fuse3d.tensor.cpu.SoftmaxKernels: max subtracted first; a row of all
// -inf gives NaN as torch does.

#define FULL_MASK 0xffffffffu

__device__ __forceinline__ float warp_max(float v) {
    for (int off = 16; off > 0; off >>= 1) v = fmaxf(v, __shfl_down_sync(FULL_MASK, v, off));
    return v;
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(FULL_MASK, v, off);
    return v;
}

// Block-wide max (isMax = 1) or sum broadcast to every thread; blockDim.x a multiple of 32.
__device__ float block_all(float v, int isMax) {
    __shared__ float partial[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = isMax ? warp_max(v) : warp_sum(v);
    __syncthreads();
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    v = threadIdx.x < warps ? partial[threadIdx.x] : (isMax ? -__int_as_float(0x7f800000) : 0.f);
    if (warp == 0) v = isMax ? warp_max(v) : warp_sum(v);
    if (threadIdx.x == 0) partial[0] = v;
    __syncthreads();
    return partial[0];
}

// y = softmax(x) (logMode = 0) or log_softmax(x) (logMode = 1) per row. A NaN in the row makes the row NaN.
extern "C" __global__ void softmax_rows_f32(const float* __restrict__ x, float* __restrict__ y, long long rows, long long cols, int logMode) {
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + r * cols;
        float* yr = y + r * cols;
        float m = -__int_as_float(0x7f800000);
        bool nan = false;
        for (long long c = threadIdx.x; c < cols; c += blockDim.x) { float v = xr[c]; nan |= isnan(v); m = fmaxf(m, v); }
        m = block_all(m, 1);
        float anyNan = block_all(nan ? 1.f : 0.f, 1);
        if (anyNan != 0.f) m = __int_as_float(0x7fc00000);
        float s = 0.f;
        for (long long c = threadIdx.x; c < cols; c += blockDim.x) s += expf(xr[c] - m);
        s = block_all(s, 0);
        if (logMode) {
            float ls = logf(s);
            for (long long c = threadIdx.x; c < cols; c += blockDim.x) yr[c] = xr[c] - m - ls;
        } else {
            float inv = 1.f / s;
            for (long long c = threadIdx.x; c < cols; c += blockDim.x) yr[c] = expf(xr[c] - m) * inv;
        }
    }
}

// dx = y * (g - sum(g * y)) for softmax, dx = g - exp(y) * sum(g) for log_softmax (y is the forward's output).
extern "C" __global__ void softmax_backward_rows_f32(const float* __restrict__ y, const float* __restrict__ g, float* __restrict__ dx,
                                                     long long rows, long long cols, int logMode) {
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* yr = y + r * cols;
        const float* gr = g + r * cols;
        float* dr = dx + r * cols;
        float s = 0.f;
        for (long long c = threadIdx.x; c < cols; c += blockDim.x) s += logMode ? gr[c] : gr[c] * yr[c];
        s = block_all(s, 0);
        for (long long c = threadIdx.x; c < cols; c += blockDim.x)
            dr[c] = logMode ? gr[c] - expf(yr[c]) * s : yr[c] * (gr[c] - s);
    }
}
