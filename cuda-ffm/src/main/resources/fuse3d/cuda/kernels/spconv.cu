// Gather-GEMM-scatter sparse convolution (spconv's native dataflow) for one kernel offset at a time, as
// fuse3d.sparse.conv.SparseConvFunction: out[pairOut] += feat[pairIn] x W_k^T with the weight [Cout, K, Cin]
// (the project's [Cout, k..., Cin] flattened). Within one offset every output row and every input row occurs at
// most once, so the scatter needs no atomics when offsets run one after another on a stream.
// Large channel counts use gather -> sgemm_tiled (gemm.cu) -> scatter; small ones the fused kernel below.

// buf[p, :] = feat[rows[p], :], contiguous [n, c].
extern "C" __global__ void spconv_gather_f32(const float* __restrict__ feat, const int* __restrict__ rows, int n, int c, float* __restrict__ buf) {
    long long total = (long long)n * c;
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x)
        buf[t] = feat[(long long)rows[t / c] * c + t % c];
}

// out[rows[p], :] += buf[p, :]; rows unique within the call.
extern "C" __global__ void spconv_scatter_add_f32(const float* __restrict__ buf, const int* __restrict__ rows, int n, int c, float* __restrict__ out) {
    long long total = (long long)n * c;
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x)
        out[(long long)rows[t / c] * c + t % c] += buf[t];
}

// Fused forward of offset k for small channels: out[pairOut[p], co] += sum_ci feat[pairIn[p], ci] * w[co, k, ci].
// One thread per (pair, co); vol is the kernel volume K (the weight's middle dim).
extern "C" __global__ void spconv_fused_fwd_f32(const float* __restrict__ feat, const float* __restrict__ w, const int* __restrict__ pairIn,
                                                const int* __restrict__ pairOut, int n, int cin, int cout, int vol, int k, float* __restrict__ out) {
    long long total = (long long)n * cout;
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x) {
        int p = (int)(t / cout), co = (int)(t % cout);
        const float* x = feat + (long long)pairIn[p] * cin;
        const float* wk = w + ((long long)co * vol + k) * cin;
        float s = 0.f;
        for (int ci = 0; ci < cin; ++ci) s = fmaf(x[ci], wk[ci], s);
        out[(long long)pairOut[p] * cout + co] += s;
    }
}

// Fused input gradient of offset k: gin[pairIn[p], ci] += sum_co gout[pairOut[p], co] * w[co, k, ci].
extern "C" __global__ void spconv_fused_bwd_input_f32(const float* __restrict__ gout, const float* __restrict__ w, const int* __restrict__ pairIn,
                                                      const int* __restrict__ pairOut, int n, int cin, int cout, int vol, int k,
                                                      float* __restrict__ gin) {
    long long total = (long long)n * cin;
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x) {
        int p = (int)(t / cin), ci = (int)(t % cin);
        const float* g = gout + (long long)pairOut[p] * cout;
        float s = 0.f;
        for (int co = 0; co < cout; ++co) s = fmaf(g[co], w[((long long)co * vol + k) * cin + ci], s);
        gin[(long long)pairIn[p] * cin + ci] += s;
    }
}

// Weight gradient of offset k: gw[co, k, ci] += sum_p gout[pairOut[p], co] * feat[pairIn[p], ci]. One block per
// (co, ci) tile of 16 x 16 with the pairs split over blockDim.y-strided loops and a shared-memory reduction.
extern "C" __global__ void spconv_bwd_weight_f32(const float* __restrict__ gout, const float* __restrict__ feat, const int* __restrict__ pairIn,
                                                 const int* __restrict__ pairOut, int n, int cin, int cout, int vol, int k,
                                                 float* __restrict__ gw) {
    __shared__ float part[4][16][17];
    int ci = blockIdx.x * 16 + threadIdx.x, co = blockIdx.y * 16 + threadIdx.y % 16, lane = threadIdx.y / 16;
    float s = 0.f;
    if (ci < cin && co < cout)
        for (int p = lane; p < n; p += blockDim.y / 16)
            s = fmaf(gout[(long long)pairOut[p] * cout + co], feat[(long long)pairIn[p] * cin + ci], s);
    part[lane][threadIdx.y % 16][threadIdx.x] = s;
    __syncthreads();
    if (lane == 0 && ci < cin && co < cout) {
        float t = 0.f;
        for (int l = 0; l < blockDim.y / 16; ++l) t += part[l][threadIdx.y][threadIdx.x];
        gw[((long long)co * vol + k) * cin + ci] += t;
    }
}

// out[r, co] = bias[co] for every output row (the accumulation starts from the bias, or 0 when bias is null).
extern "C" __global__ void spconv_init_bias_f32(float* __restrict__ out, const float* __restrict__ bias, int rows, int cout) {
    long long total = (long long)rows * cout;
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x)
        out[t] = bias != 0 ? bias[t % cout] : 0.f;
}
