// Single-precision GEMM of the CUDA backend: C[b] = alpha * A[b] x B[b] + beta * C[b] for a batch of [M, K] x [K, N].
// A and B are any strided views (row stride, column stride, batch stride; a batch stride of 0 broadcasts), so
// transposes and bmm's views need no copy; C is row-major with leading dimension ldc.
//
// sgemm_tiled: 128 x 128 block tile, K in steps of 8 staged through shared memory, 256 threads each holding an
// 8 x 8 register tile (rows ty + 16 i, columns tx + 16 j, so reads of the shared tiles are conflict free).
// sgemm_tf32: the same tiling on the tensor cores of sm_80+: mma.sync m16n8k8 with TF32 inputs (10-bit mantissa,
// as torch's allow_tf32) and float32 accumulation; 8 warps as 2 x 4, each warp a 64 x 32 tile. Built only for
// __CUDA_ARCH__ >= 800; on older devices the Java side never launches it (and it traps if it is).

#define BM 128
#define BN 128
#define BK 8

__device__ __forceinline__ void load_tiles(const float* __restrict__ A, const float* __restrict__ B, float (*As)[BM + 4], float (*Bs)[BN + 4],
                                           int M, int N, int K, int m0, int n0, int k0, long long rsA, long long csA,
                                           long long rsB, long long csB, int tid) {
    // A tile [BM, BK] stored transposed (As[k][m]); B tile [BK, BN] as is (Bs[k][n]). Out-of-range reads are 0.
    #pragma unroll
    for (int l = 0; l < (BM * BK) / 256; ++l) {
        int e = tid + 256 * l;
        int m = e / BK, k = e % BK;
        int gm = m0 + m, gk = k0 + k;
        As[k][m] = (gm < M && gk < K) ? A[gm * rsA + gk * csA] : 0.f;
    }
    #pragma unroll
    for (int l = 0; l < (BN * BK) / 256; ++l) {
        int e = tid + 256 * l;
        int k = e / BN, n = e % BN;
        int gk = k0 + k, gn = n0 + n;
        Bs[k][n] = (gk < K && gn < N) ? B[gk * rsB + gn * csB] : 0.f;
    }
}

extern "C" __global__ void __launch_bounds__(256) sgemm_tiled(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
                                                              int M, int N, int K, long long rsA, long long csA, long long rsB, long long csB,
                                                              long long ldc, long long bsA, long long bsB, long long bsC, float alpha, float beta) {
    __shared__ float As[BK][BM + 4];
    __shared__ float Bs[BK][BN + 4];
    int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    A += blockIdx.z * bsA;
    B += blockIdx.z * bsB;
    C += blockIdx.z * bsC;
    float acc[8][8];
    #pragma unroll
    for (int i = 0; i < 8; ++i)
        #pragma unroll
        for (int j = 0; j < 8; ++j) acc[i][j] = 0.f;
    for (int k0 = 0; k0 < K; k0 += BK) {
        load_tiles(A, B, As, Bs, M, N, K, m0, n0, k0, rsA, csA, rsB, csB, tid);
        __syncthreads();
        #pragma unroll
        for (int k = 0; k < BK; ++k) {
            float a[8], b[8];
            #pragma unroll
            for (int i = 0; i < 8; ++i) a[i] = As[k][ty + 16 * i];
            #pragma unroll
            for (int j = 0; j < 8; ++j) b[j] = Bs[k][tx + 16 * j];
            #pragma unroll
            for (int i = 0; i < 8; ++i)
                #pragma unroll
                for (int j = 0; j < 8; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }
    #pragma unroll
    for (int i = 0; i < 8; ++i) {
        int gm = m0 + ty + 16 * i;
        if (gm >= M) continue;
        #pragma unroll
        for (int j = 0; j < 8; ++j) {
            int gn = n0 + tx + 16 * j;
            if (gn >= N) continue;
            float* c = C + gm * ldc + gn;
            // beta == 0 must not read C: it may hold NaN garbage from the allocator's cache
            *c = beta == 0.f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *c;
        }
    }
}

// The same tile loads with 16-byte vector loads, for row-major A and B (csA = csB = 1) whose rows, batch strides and
// base addresses are multiples of 4 floats (checked on the Java side): one float4 of A and one of B per thread.
// A float4 that straddles the matrix edge is loaded element by element with the bounds test.
__device__ __forceinline__ void load_tiles_vec4(const float* __restrict__ A, const float* __restrict__ B, float (*As)[BM + 4],
                                                float (*Bs)[BN + 4], int M, int N, int K, int m0, int n0, int k0, long long rsA,
                                                long long rsB, int tid) {
    {
        int m = tid / 2, k = (tid % 2) * 4;  // A tile [128, 8]: two float4 per row
        int gm = m0 + m, gk = k0 + k;
        float v[4];
        if (gm < M && gk + 3 < K) {
            float4 q = *reinterpret_cast<const float4*>(A + gm * rsA + gk);
            v[0] = q.x; v[1] = q.y; v[2] = q.z; v[3] = q.w;
        } else {
            for (int e = 0; e < 4; ++e) v[e] = (gm < M && gk + e < K) ? A[gm * rsA + gk + e] : 0.f;
        }
        for (int e = 0; e < 4; ++e) As[k + e][m] = v[e];
    }
    {
        int k = tid / 32, n = (tid % 32) * 4;  // B tile [8, 128]: 32 float4 per row
        int gk = k0 + k, gn = n0 + n;
        float v[4];
        if (gk < K && gn + 3 < N) {
            float4 q = *reinterpret_cast<const float4*>(B + gk * rsB + gn);
            v[0] = q.x; v[1] = q.y; v[2] = q.z; v[3] = q.w;
        } else {
            for (int e = 0; e < 4; ++e) v[e] = (gk < K && gn + e < N) ? B[gk * rsB + gn + e] : 0.f;
        }
        for (int e = 0; e < 4; ++e) Bs[k][n + e] = v[e];
    }
}

// sgemm_tiled with vector loads (see load_tiles_vec4 for its preconditions); the arguments are sgemm_tiled's.
extern "C" __global__ void __launch_bounds__(256) sgemm_tiled_vec4(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
                                                                   int M, int N, int K, long long rsA, long long csA, long long rsB, long long csB,
                                                                   long long ldc, long long bsA, long long bsB, long long bsC, float alpha, float beta) {
    __shared__ float As[BK][BM + 4];
    __shared__ float Bs[BK][BN + 4];
    int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    A += blockIdx.z * bsA;
    B += blockIdx.z * bsB;
    C += blockIdx.z * bsC;
    float acc[8][8];
    #pragma unroll
    for (int i = 0; i < 8; ++i)
        #pragma unroll
        for (int j = 0; j < 8; ++j) acc[i][j] = 0.f;
    for (int k0 = 0; k0 < K; k0 += BK) {
        load_tiles_vec4(A, B, As, Bs, M, N, K, m0, n0, k0, rsA, rsB, tid);
        __syncthreads();
        #pragma unroll
        for (int k = 0; k < BK; ++k) {
            float a[8], b[8];
            #pragma unroll
            for (int i = 0; i < 8; ++i) a[i] = As[k][ty + 16 * i];
            #pragma unroll
            for (int j = 0; j < 8; ++j) b[j] = Bs[k][tx + 16 * j];
            #pragma unroll
            for (int i = 0; i < 8; ++i)
                #pragma unroll
                for (int j = 0; j < 8; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }
    #pragma unroll
    for (int i = 0; i < 8; ++i) {
        int gm = m0 + ty + 16 * i;
        if (gm >= M) continue;
        #pragma unroll
        for (int j = 0; j < 8; ++j) {
            int gn = n0 + tx + 16 * j;
            if (gn >= N) continue;
            float* c = C + gm * ldc + gn;
            *c = beta == 0.f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *c;
        }
    }
}

__device__ __forceinline__ unsigned to_tf32(float x) {
    unsigned r;
#if __CUDA_ARCH__ >= 800
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
#else
    r = __float_as_uint(x);
#endif
    return r;
}

extern "C" __global__ void __launch_bounds__(256) sgemm_tf32(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
                                                             int M, int N, int K, long long rsA, long long csA, long long rsB, long long csB,
                                                             long long ldc, long long bsA, long long bsB, long long bsC, float alpha, float beta) {
#if __CUDA_ARCH__ >= 800
    __shared__ float As[BK][BM + 4];
    __shared__ float Bs[BK][BN + 4];
    int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    int gid = lane >> 2, tig = lane & 3;       // the mma fragment's group and thread-in-group
    int wm = (warp / 4) * 64, wn = (warp % 4) * 32;
    int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    A += blockIdx.z * bsA;
    B += blockIdx.z * bsB;
    C += blockIdx.z * bsC;
    float acc[4][4][4];
    #pragma unroll
    for (int i = 0; i < 4; ++i)
        #pragma unroll
        for (int j = 0; j < 4; ++j)
            #pragma unroll
            for (int r = 0; r < 4; ++r) acc[i][j][r] = 0.f;
    for (int k0 = 0; k0 < K; k0 += BK) {
        load_tiles(A, B, As, Bs, M, N, K, m0, n0, k0, rsA, csA, rsB, csB, tid);
        __syncthreads();
        unsigned a[4][4], b[4][2];
        #pragma unroll
        for (int i = 0; i < 4; ++i) {
            int r = wm + i * 16 + gid;
            a[i][0] = to_tf32(As[tig][r]);
            a[i][1] = to_tf32(As[tig][r + 8]);
            a[i][2] = to_tf32(As[tig + 4][r]);
            a[i][3] = to_tf32(As[tig + 4][r + 8]);
        }
        #pragma unroll
        for (int j = 0; j < 4; ++j) {
            int c = wn + j * 8 + gid;
            b[j][0] = to_tf32(Bs[tig][c]);
            b[j][1] = to_tf32(Bs[tig + 4][c]);
        }
        #pragma unroll
        for (int i = 0; i < 4; ++i)
            #pragma unroll
            for (int j = 0; j < 4; ++j)
                asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                             : "+f"(acc[i][j][0]), "+f"(acc[i][j][1]), "+f"(acc[i][j][2]), "+f"(acc[i][j][3])
                             : "r"(a[i][0]), "r"(a[i][1]), "r"(a[i][2]), "r"(a[i][3]), "r"(b[j][0]), "r"(b[j][1]));
        __syncthreads();
    }
    #pragma unroll
    for (int i = 0; i < 4; ++i)
        #pragma unroll
        for (int j = 0; j < 4; ++j)
            #pragma unroll
            for (int r = 0; r < 4; ++r) {
                // accumulator r holds row gid (+8 for r >= 2), column 2 tig (+1 for odd r)
                int gm = m0 + wm + i * 16 + gid + (r >= 2 ? 8 : 0);
                int gn = n0 + wn + j * 8 + 2 * tig + (r & 1);
                if (gm < M && gn < N) {
                    float* c = C + gm * ldc + gn;
                    *c = beta == 0.f ? alpha * acc[i][j][r] : alpha * acc[i][j][r] + beta * *c;
                }
            }
#else
    __trap();
#endif
}
