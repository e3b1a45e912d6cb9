// BEVPoolv2 (BEVDet's bev_pool_v2) with the semantics of fuse3d.sparse.bev.BevPool: for each interval (one occupied
// cell), out[b, c, cell] = sum over its points of depth[rank_depth] * featCl[rank_feat, c]; featCl is the features
// channels-last [B*N*H*W, C]; cells of a sample are nz * ny * nx, and rank_bev (rb) holds batch * cellsPerSample +
// cell. Empty cells are written 0 by the caller (zeroed output).

// One thread per (interval, channel): each writes its own output element, no atomics.
extern "C" __global__ void bev_pool_v2_f32(const float* __restrict__ depth, const float* __restrict__ featCl, const int* __restrict__ rd,
                                           const int* __restrict__ rf, const int* __restrict__ rb, const int* __restrict__ starts,
                                           const int* __restrict__ lengths, int intervals, int c, int cellsPerSample, float* __restrict__ out) {
    long long total = (long long)intervals * c;
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x) {
        int k = (int)(t / c), ch = (int)(t % c);
        int s = starts[k], e = s + lengths[k];
        float acc = 0.f;
        for (int i = s; i < e; ++i) acc = fmaf(depth[rd[i]], featCl[(long long)rf[i] * c + ch], acc);
        int cell = rb[s], b = cell / cellsPerSample;
        out[((long long)b * c + ch) * cellsPerSample + cell % cellsPerSample] = acc;
    }
}

// Backward, one thread per point i of interval k: gradDepth[rd[i]] = <gradOut[cell, :], featCl[rf[i], :]> (each depth
// entry belongs to one point, so a plain write) and gradFeatCl[rf[i], c] += depth[rd[i]] * gradOut[cell, c] (a pixel
// feeds several points, so atomics). gradFeatCl must be zeroed by the caller.
extern "C" __global__ void bev_pool_v2_backward_f32(const float* __restrict__ gradOut, const float* __restrict__ depth, const float* __restrict__ featCl,
                                                    const int* __restrict__ rd, const int* __restrict__ rf, const int* __restrict__ rb,
                                                    int points, int c, int cellsPerSample, float* __restrict__ gradDepth,
                                                    float* __restrict__ gradFeatCl) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < points; i += gridDim.x * blockDim.x) {
        int cell = rb[i], b = cell / cellsPerSample;
        const float* g = gradOut + (long long)b * c * cellsPerSample + cell % cellsPerSample;
        const float* f = featCl + (long long)rf[i] * c;
        float* gf = gradFeatCl + (long long)rf[i] * c;
        float w = depth[rd[i]], s = 0.f;
        for (int ch = 0; ch < c; ++ch) {
            float go = g[(long long)ch * cellsPerSample];
            s = fmaf(go, f[ch], s);
            atomicAdd(gf + ch, w * go);
        }
        gradDepth[rd[i]] = s;
    }
}
