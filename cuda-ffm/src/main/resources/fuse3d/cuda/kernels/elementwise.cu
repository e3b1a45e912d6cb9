// Elementwise kernels of the CUDA backend: unary and binary float32 ops over strided, broadcast views.
// Semantics follow fuse3d.tensor.UnaryOp / BinaryOp (the CPU reference); the op codes below are the Java enums'
// ordinals, and KernelSourcesTest checks that every U_ / B_ name and value agrees with the enum.
//
// Strided index math: a view is (shape, strides, offset); the Java side passes the data pointer already moved by
// the offset, and a meta array of int64: shape[ndim], then one strides[ndim] block per input. Output is contiguous,
// so the linear output index i is decomposed into coordinates by the shape, innermost dim last.
// NVRTC compiles this without any header, so only builtins are used.

#define U_NEG 0
#define U_ABS 1
#define U_SIGN 2
#define U_SQUARE 3
#define U_EXP 4
#define U_LOG 5
#define U_LOG1P 6
#define U_EXPM1 7
#define U_SQRT 8
#define U_RSQRT 9
#define U_RECIPROCAL 10
#define U_SIGMOID 11
#define U_TANH 12
#define U_RELU 13
#define U_LEAKY_RELU 14
#define U_GELU 15
#define U_GELU_TANH 16
#define U_SILU 17
#define U_SIN 18
#define U_COS 19
#define U_FLOOR 20
#define U_CEIL 21
#define U_ROUND 22
#define U_TRUNC 23
#define U_CLAMP 24
#define U_POW_SCALAR 25
#define U_LOGICAL_NOT 26
#define U_ISNAN 27
#define U_ISFINITE 28

#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4
#define B_MAXIMUM 5
#define B_MINIMUM 6
#define B_ATAN2 7
#define B_REMAINDER 8
#define B_FLOOR_DIVIDE 9
#define B_EQ 10
#define B_NE 11
#define B_LT 12
#define B_LE 13
#define B_GT 14
#define B_GE 15
#define B_LOGICAL_AND 16
#define B_LOGICAL_OR 17
#define B_LOGICAL_XOR 18

// Offset (in elements) of linear output index i in a view with the given strides.
__device__ __forceinline__ long long strided_offset(long long i, const long long* shape, const long long* strides, int ndim) {
    long long off = 0;
    for (int d = ndim - 1; d >= 0; --d) {
        long long s = shape[d];
        long long c = i % s;
        i /= s;
        off += c * strides[d];
    }
    return off;
}

__device__ __forceinline__ float apply_unary(int op, float x, float p0, float p1) {
    switch (op) {
        case U_NEG: return -x;
        case U_ABS: return fabsf(x);
        case U_SIGN: return (x > 0.f ? 1.f : 0.f) - (x < 0.f ? 1.f : 0.f);
        case U_SQUARE: return x * x;
        case U_EXP: return expf(x);
        case U_LOG: return logf(x);
        case U_LOG1P: return log1pf(x);
        case U_EXPM1: return expm1f(x);
        case U_SQRT: return sqrtf(x);
        case U_RSQRT: return 1.f / sqrtf(x);
        case U_RECIPROCAL: return 1.f / x;
        case U_SIGMOID: return x >= 0.f ? 1.f / (1.f + expf(-x)) : expf(x) / (1.f + expf(x));
        case U_TANH: return tanhf(x);
        case U_RELU: return x < 0.f ? 0.f : x;  // NaN and -0.0 pass through, as torch.relu
        case U_LEAKY_RELU: return x > 0.f ? x : x * p0;
        case U_GELU: return 0.5f * x * (1.f + erff(x * 0.70710678118654752f));
        case U_GELU_TANH: return 0.5f * x * (1.f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
        case U_SILU: return x >= 0.f ? x / (1.f + expf(-x)) : x * expf(x) / (1.f + expf(x));
        case U_SIN: return sinf(x);
        case U_COS: return cosf(x);
        case U_FLOOR: return floorf(x);
        case U_CEIL: return ceilf(x);
        case U_ROUND: return rintf(x);  // half to even, as torch.round
        case U_TRUNC: return truncf(x);
        case U_CLAMP: {
            if (isnan(x)) return x;
            float v = x;
            if (!isnan(p0) && v < p0) v = p0;
            if (!isnan(p1) && v > p1) v = p1;
            return v;
        }
        case U_POW_SCALAR: return powf(x, p0);
        case U_LOGICAL_NOT: return x == 0.f ? 1.f : 0.f;
        case U_ISNAN: return isnan(x) ? 1.f : 0.f;
        case U_ISFINITE: return isfinite(x) ? 1.f : 0.f;
        default: return __int_as_float(0x7fc00000);  // an unknown op code yields NaN rather than silently x
    }
}

// Python-style floor division as torch's div_floor_floating: divide a - fmod(a, b), not floor(a / b).
__device__ __forceinline__ float floor_divide(float a, float b) {
    if (b == 0.f) return a / b;
    float mod = fmodf(a, b);
    float div = (a - mod) / b;
    if (mod != 0.f && ((b < 0.f) != (mod < 0.f))) div -= 1.f;
    if (div == 0.f) return copysignf(0.f, a / b);
    float fl = floorf(div);
    if (div - fl > 0.5f) fl += 1.f;
    return fl;
}

__device__ __forceinline__ float apply_binary(int op, float a, float b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_POW: return powf(a, b);
        case B_MAXIMUM: return (isnan(a) || isnan(b)) ? __int_as_float(0x7fc00000) : fmaxf(a, b);
        case B_MINIMUM: return (isnan(a) || isnan(b)) ? __int_as_float(0x7fc00000) : fminf(a, b);
        case B_ATAN2: return atan2f(a, b);
        case B_REMAINDER: {  // the sign follows the divisor
            float r = fmodf(a, b);
            return (r != 0.f && ((r < 0.f) != (b < 0.f))) ? r + b : r;
        }
        case B_FLOOR_DIVIDE: return floor_divide(a, b);
        case B_EQ: return a == b ? 1.f : 0.f;
        case B_NE: return a != b ? 1.f : 0.f;
        case B_LT: return a < b ? 1.f : 0.f;
        case B_LE: return a <= b ? 1.f : 0.f;
        case B_GT: return a > b ? 1.f : 0.f;
        case B_GE: return a >= b ? 1.f : 0.f;
        case B_LOGICAL_AND: return (a != 0.f && b != 0.f) ? 1.f : 0.f;
        case B_LOGICAL_OR: return (a != 0.f || b != 0.f) ? 1.f : 0.f;
        case B_LOGICAL_XOR: return ((a != 0.f) != (b != 0.f)) ? 1.f : 0.f;
        default: return __int_as_float(0x7fc00000);
    }
}

// y[i] = op(x[view(i)]); meta = shape[ndim], xstrides[ndim]. Grid-stride loop so any n fits any grid.
extern "C" __global__ void ew_unary_f32(const float* __restrict__ x, float* __restrict__ y, const long long* __restrict__ meta,
                                        int ndim, long long n, int op, float p0, float p1) {
    const long long* shape = meta;
    const long long* xs = meta + ndim;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        y[i] = apply_unary(op, x[strided_offset(i, shape, xs, ndim)], p0, p1);
    }
}

// Fast path for contiguous x: no index decomposition.
extern "C" __global__ void ew_unary_contig_f32(const float* __restrict__ x, float* __restrict__ y, long long n, int op, float p0, float p1) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        y[i] = apply_unary(op, x[i], p0, p1);
    }
}

// out[i] = op(a[view_a(i)], b[view_b(i)]) with broadcasting by zero strides; meta = shape, astrides, bstrides.
extern "C" __global__ void ew_binary_f32(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ out,
                                         const long long* __restrict__ meta, int ndim, long long n, int op) {
    const long long* shape = meta;
    const long long* as = meta + ndim;
    const long long* bs = meta + 2 * ndim;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        out[i] = apply_binary(op, a[strided_offset(i, shape, as, ndim)], b[strided_offset(i, shape, bs, ndim)]);
    }
}

// Comparisons and logical ops write bool (one byte per element, as the host's boolean[] is copied).
extern "C" __global__ void ew_compare_f32(const float* __restrict__ a, const float* __restrict__ b, unsigned char* __restrict__ out,
                                          const long long* __restrict__ meta, int ndim, long long n, int op) {
    const long long* shape = meta;
    const long long* as = meta + ndim;
    const long long* bs = meta + 2 * ndim;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        out[i] = apply_binary(op, a[strided_offset(i, shape, as, ndim)], b[strided_offset(i, shape, bs, ndim)]) != 0.f ? 1 : 0;
    }
}

// out[i] = cond ? a : b over three broadcast views; meta = shape, cstrides, astrides, bstrides.
extern "C" __global__ void ew_where_f32(const unsigned char* __restrict__ cond, const float* __restrict__ a, const float* __restrict__ b,
                                        float* __restrict__ out, const long long* __restrict__ meta, int ndim, long long n) {
    const long long* shape = meta;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        bool c = cond[strided_offset(i, shape, meta + ndim, ndim)] != 0;
        out[i] = c ? a[strided_offset(i, shape, meta + 2 * ndim, ndim)] : b[strided_offset(i, shape, meta + 3 * ndim, ndim)];
    }
}

// Contiguous copy of a strided float32 view (contiguous(), permute + copy); meta = shape, strides.
extern "C" __global__ void ew_copy_strided_f32(const float* __restrict__ x, float* __restrict__ y, const long long* __restrict__ meta,
                                               int ndim, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        y[i] = x[strided_offset(i, meta, meta + ndim, ndim)];
    }
}

// Writes contiguous src into a strided destination view (copyInto); meta = shape, dst strides.
extern "C" __global__ void ew_scatter_strided_f32(const float* __restrict__ src, float* __restrict__ dst, const long long* __restrict__ meta,
                                                  int ndim, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        dst[strided_offset(i, meta, meta + ndim, ndim)] = src[i];
    }
}

// Fills a strided view with a constant; meta = shape, strides.
extern "C" __global__ void ew_fill_strided_f32(float* __restrict__ y, const long long* __restrict__ meta, int ndim, long long n, float value) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        y[strided_offset(i, meta, meta + ndim, ndim)] = value;
    }
}

// Fills contiguous memory with a constant (zeros(), buffers).
extern "C" __global__ void ew_fill_f32(float* __restrict__ y, long long n, float value) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) y[i] = value;
}

// Fills contiguous int32 memory (hash-table and map initialisation).
extern "C" __global__ void ew_fill_i32(int* __restrict__ y, long long n, int value) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) y[i] = value;
}

// Fills contiguous int64 memory (hash-table keys).
extern "C" __global__ void ew_fill_i64(long long* __restrict__ y, long long n, long long value) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) y[i] = value;
}

// y = alpha * x + y, contiguous (accumulating gradients and partial GEMM results).
extern "C" __global__ void ew_axpy_f32(const float* __restrict__ x, float* __restrict__ y, long long n, float alpha) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) y[i] += alpha * x[i];
}
