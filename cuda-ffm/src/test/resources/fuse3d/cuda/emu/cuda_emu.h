// A CPU emulator of the CUDA C subset the Fuse3D kernels use, for tests on machines without a GPU: the .cu sources
// compile unchanged as C++20 against this header. Blocks run one after another; the threads of a block run as fibers
// switched at __syncthreads and warp shuffles for kernels that synchronise, or one after another for those that do
// not. Everything runs on the calling thread, so atomics are plain read-modify-writes under a lock and shared memory
// is a function-local static (blocks never overlap). It checks semantics, not speed or memory-model corner cases.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>

using std::max;
using std::min;
using std::isfinite;
using std::isinf;
using std::isnan;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __shared__ static

struct alignas(16) float4 {
    float x, y, z, w;
};

struct emu_dim3 {
    unsigned x, y, z;
};

extern thread_local emu_dim3 threadIdx, blockIdx;
extern emu_dim3 blockDim, gridDim;

void emu_syncthreads();
unsigned long long emu_shfl(unsigned long long bits, int delta, int up);
std::mutex& emu_lock();

inline void __syncthreads() { emu_syncthreads(); }

template <class T>
inline T emu_shfl_t(T v, int delta, int up) {
    unsigned long long bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    bits = emu_shfl(bits, delta, up);
    T out;
    std::memcpy(&out, &bits, sizeof(T));
    return out;
}
template <class T>
inline T __shfl_down_sync(unsigned, T v, int d) { return emu_shfl_t(v, d, 0); }
template <class T>
inline T __shfl_up_sync(unsigned, T v, int d) { return emu_shfl_t(v, d, 1); }

inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
inline int __float_as_int(float f) { int i; std::memcpy(&i, &f, 4); return i; }
inline unsigned __float_as_uint(float f) { unsigned i; std::memcpy(&i, &f, 4); return i; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsub_rn(float a, float b) { return a - b; }
[[noreturn]] inline void __trap() { std::abort(); }

inline float atomicAdd(float* a, float v) { std::lock_guard<std::mutex> g(emu_lock()); float o = *a; *a = o + v; return o; }
inline int atomicAdd(int* a, int v) { std::lock_guard<std::mutex> g(emu_lock()); int o = *a; *a = o + v; return o; }
inline int atomicMin(int* a, int v) { std::lock_guard<std::mutex> g(emu_lock()); int o = *a; if (v < o) *a = v; return o; }
inline int atomicCAS(int* a, int cmp, int v) { std::lock_guard<std::mutex> g(emu_lock()); int o = *a; if (o == cmp) *a = v; return o; }
inline unsigned long long atomicCAS(unsigned long long* a, unsigned long long cmp, unsigned long long v) {
    std::lock_guard<std::mutex> g(emu_lock());
    unsigned long long o = *a;
    if (o == cmp) *a = v;
    return o;
}

// Runs body for every thread of the grid; threaded = fibers per block (kernels with barriers or shuffles).
// Returns 0, -2 when a kernel run sequentially hit a barrier, -3 on a barrier deadlock.
int emu_run(int gx, int gy, int gz, int bx, int by, int bz, bool threaded, const std::function<void()>& body);
