// Dense convolution of [N, C, D, H, W] (rank-5 views of 1/2/3-d problems, as fuse3d.tensor.Backend.conv) as an
// implicit GEMM: rows are output positions (n, od, oh, ow), columns output channels of one group, and the reduction
// runs over (ci, kd, kh, kw); the im2col matrix is never built, each tile element is computed from its indices.
// Weight is [Cout, Cin/groups, kD, kH, kW], contiguous. The geometry is PyTorch's cross-correlation:
// input = out * stride - padding + k * dilation.
//
// The shape arguments come in one int32 array g (device memory, 22 entries):
//   0 N, 1 C, 2 D, 3 H, 4 W, 5 Cout, 6 oD, 7 oH, 8 oW, 9 kD, 10 kH, 11 kW,
//   12 sD, 13 sH, 14 sW, 15 pD, 16 pH, 17 pW, 18 dD, 19 dH, 20 dW, 21 groups

#define TM 64
#define TN 64
#define TK 8

struct Geo {
    int N, C, D, H, W, Co, oD, oH, oW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, G;
};

__device__ __forceinline__ Geo read_geo(const int* g) {
    Geo q;
    q.N = g[0]; q.C = g[1]; q.D = g[2]; q.H = g[3]; q.W = g[4]; q.Co = g[5]; q.oD = g[6]; q.oH = g[7]; q.oW = g[8];
    q.kD = g[9]; q.kH = g[10]; q.kW = g[11]; q.sD = g[12]; q.sH = g[13]; q.sW = g[14]; q.pD = g[15]; q.pH = g[16]; q.pW = g[17];
    q.dD = g[18]; q.dH = g[19]; q.dW = g[20]; q.G = g[21];
    return q;
}

// x at (n, channel c, output position (od, oh, ow), kernel offset kk of the flattened (kd, kh, kw)); 0 in the padding.
__device__ __forceinline__ float im2col(const float* __restrict__ x, const Geo& q, int n, int c, int od, int oh, int ow, int kk) {
    int kw = kk % q.kW, kh = (kk / q.kW) % q.kH, kd = kk / (q.kW * q.kH);
    int d = od * q.sD - q.pD + kd * q.dD, h = oh * q.sH - q.pH + kh * q.dH, w = ow * q.sW - q.pW + kw * q.dW;
    if (d < 0 || d >= q.D || h < 0 || h >= q.H || w < 0 || w >= q.W) return 0.f;
    return x[(((long long)n * q.C + c) * q.D + d) * q.H * (long long)q.W + (long long)h * q.W + w];
}

// y[n, co, od, oh, ow] = bias[co] + sum x * w; grid (ceil(N oD oH oW / 64), ceil(Cout/G / 64), G), 256 threads (output
// positions on x, whose limit is 2^31 - 1 blocks, as a large 3-d problem has millions of them).
extern "C" __global__ void __launch_bounds__(256) conv_implicit_gemm_f32(const float* __restrict__ x, const float* __restrict__ w,
                                                                         const float* __restrict__ bias, float* __restrict__ y,
                                                                         const int* __restrict__ geo) {
    Geo q = read_geo(geo);
    __shared__ float As[TK][TM + 4];
    __shared__ float Bs[TK][TN + 4];
    int g = blockIdx.z, cin = q.C / q.G, cout = q.Co / q.G, kvol = q.kD * q.kH * q.kW;
    int K = cin * kvol, ospat = q.oD * q.oH * q.oW;
    long long M = (long long)q.N * ospat;
    long long m0 = (long long)blockIdx.x * TM;
    int n0 = blockIdx.y * TN;
    int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    float acc[4][4] = {{0.f}};
    for (int k0 = 0; k0 < K; k0 += TK) {
        for (int e = tid; e < TM * TK; e += 256) {
            int m = e / TK, k = e % TK;
            long long gm = m0 + m;
            int gk = k0 + k;
            float v = 0.f;
            if (gm < M && gk < K) {
                int n = (int)(gm / ospat), r = (int)(gm % ospat);
                int ow = r % q.oW, oh = (r / q.oW) % q.oH, od = r / (q.oW * q.oH);
                v = im2col(x, q, n, g * cin + gk / kvol, od, oh, ow, gk % kvol);
            }
            As[k][m] = v;
        }
        for (int e = tid; e < TN * TK; e += 256) {
            int k = e / TN, nn = e % TN;
            int gk = k0 + k, co = n0 + nn;
            Bs[k][nn] = (gk < K && co < cout) ? w[(long long)(g * cout + co) * K + gk] : 0.f;
        }
        __syncthreads();
        #pragma unroll
        for (int k = 0; k < TK; ++k) {
            float a[4], b[4];
            #pragma unroll
            for (int i = 0; i < 4; ++i) a[i] = As[k][ty + 16 * i];
            #pragma unroll
            for (int j = 0; j < 4; ++j) b[j] = Bs[k][tx + 16 * j];
            #pragma unroll
            for (int i = 0; i < 4; ++i)
                #pragma unroll
                for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }
    #pragma unroll
    for (int i = 0; i < 4; ++i) {
        long long gm = m0 + ty + 16 * i;
        if (gm >= M) continue;
        int n = (int)(gm / ospat), r = (int)(gm % ospat);
        #pragma unroll
        for (int j = 0; j < 4; ++j) {
            int co = n0 + tx + 16 * j;
            if (co >= cout) continue;
            int oc = g * cout + co;
            y[((long long)n * q.Co + oc) * ospat + r] = acc[i][j] + (bias != 0 ? bias[oc] : 0.f);
        }
    }
}

// Gradient of the input: dx[n, c, d, h, w] = sum over the (co, k) whose window covers (d, h, w) of gy * w.
// One thread per input element; the division test picks the output positions that read this input.
extern "C" __global__ void conv_backward_data_f32(const float* __restrict__ gy, const float* __restrict__ w, float* __restrict__ dx,
                                                  const int* __restrict__ geo) {
    Geo q = read_geo(geo);
    int cin = q.C / q.G, cout = q.Co / q.G, kvol = q.kD * q.kH * q.kW;
    long long total = (long long)q.N * q.C * q.D * q.H * q.W;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total; i += (long long)gridDim.x * blockDim.x) {
        int wi = (int)(i % q.W), hi = (int)((i / q.W) % q.H), di = (int)((i / ((long long)q.W * q.H)) % q.D);
        int c = (int)((i / ((long long)q.W * q.H * q.D)) % q.C), n = (int)(i / ((long long)q.W * q.H * q.D * q.C));
        int g = c / cin, ci = c % cin;
        float s = 0.f;
        for (int kd = 0; kd < q.kD; ++kd) {
            int td = di + q.pD - kd * q.dD;
            if (td < 0 || td % q.sD != 0) continue;
            int od = td / q.sD;
            if (od >= q.oD) continue;
            for (int kh = 0; kh < q.kH; ++kh) {
                int th = hi + q.pH - kh * q.dH;
                if (th < 0 || th % q.sH != 0) continue;
                int oh = th / q.sH;
                if (oh >= q.oH) continue;
                for (int kw = 0; kw < q.kW; ++kw) {
                    int tw = wi + q.pW - kw * q.dW;
                    if (tw < 0 || tw % q.sW != 0) continue;
                    int ow = tw / q.sW;
                    if (ow >= q.oW) continue;
                    int kk = (kd * q.kH + kh) * q.kW + kw;
                    long long opos = ((long long)od * q.oH + oh) * q.oW + ow;
                    for (int co = 0; co < cout; ++co) {
                        int oc = g * cout + co;
                        s += gy[((long long)n * q.Co + oc) * q.oD * q.oH * q.oW + opos] * w[((long long)oc * cin + ci) * kvol + kk];
                    }
                }
            }
        }
        dx[i] = s;
    }
}

// Gradient of the weight as an implicit GEMM: dw[co, (ci, k)] = sum over (n, output position) of gy * im2col(x);
// grid (ceil(Cin/G kvol / 64), ceil(Cout/G / 64), G), 256 threads.
extern "C" __global__ void __launch_bounds__(256) conv_backward_weight_f32(const float* __restrict__ gy, const float* __restrict__ x,
                                                                           float* __restrict__ dw, const int* __restrict__ geo) {
    Geo q = read_geo(geo);
    __shared__ float As[TK][TM + 4];
    __shared__ float Bs[TK][TN + 4];
    int g = blockIdx.z, cin = q.C / q.G, cout = q.Co / q.G, kvol = q.kD * q.kH * q.kW;
    int Ncol = cin * kvol, ospat = q.oD * q.oH * q.oW;
    long long R = (long long)q.N * ospat;
    int m0 = blockIdx.y * TM, n0 = blockIdx.x * TN;
    int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    float acc[4][4] = {{0.f}};
    for (long long r0 = 0; r0 < R; r0 += TK) {
        for (int e = tid; e < TM * TK; e += 256) {
            int m = e / TK, k = e % TK;
            long long gr = r0 + k;
            int co = m0 + m;
            float v = 0.f;
            if (gr < R && co < cout) {
                int n = (int)(gr / ospat), p = (int)(gr % ospat);
                v = gy[((long long)n * q.Co + g * cout + co) * ospat + p];
            }
            As[k][m] = v;
        }
        for (int e = tid; e < TN * TK; e += 256) {
            int k = e / TN, nn = e % TN;
            long long gr = r0 + k;
            int col = n0 + nn;
            float v = 0.f;
            if (gr < R && col < Ncol) {
                int n = (int)(gr / ospat), p = (int)(gr % ospat);
                int ow = p % q.oW, oh = (p / q.oW) % q.oH, od = p / (q.oW * q.oH);
                v = im2col(x, q, n, g * cin + col / kvol, od, oh, ow, col % kvol);
            }
            Bs[k][nn] = v;
        }
        __syncthreads();
        #pragma unroll
        for (int k = 0; k < TK; ++k) {
            float a[4], b[4];
            #pragma unroll
            for (int i = 0; i < 4; ++i) a[i] = As[k][ty + 16 * i];
            #pragma unroll
            for (int j = 0; j < 4; ++j) b[j] = Bs[k][tx + 16 * j];
            #pragma unroll
            for (int i = 0; i < 4; ++i)
                #pragma unroll
                for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }
    #pragma unroll
    for (int i = 0; i < 4; ++i) {
        int co = m0 + ty + 16 * i;
        if (co >= cout) continue;
        #pragma unroll
        for (int j = 0; j < 4; ++j) {
            int col = n0 + tx + 16 * j;
            if (col < Ncol) dw[(long long)(g * cout + co) * Ncol + col] = acc[i][j];
        }
    }
}
