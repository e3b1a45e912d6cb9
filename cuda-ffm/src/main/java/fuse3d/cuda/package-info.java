/**
 * Fuse3D on NVIDIA GPUs with no JNI and no native library of its own: the CUDA driver API and NVRTC bound with
 * java.lang.foreign, CUDA C kernels kept as resources and compiled at first use, and a tensor Backend found through
 * ServiceLoader.
 *
 * <ul>
 *   <li>{@code fuse3d.cuda.driver}: {@code CudaDriver} (libcuda.so.1, versioned _v2 symbols, every CUresult checked),
 *       {@code NativeLibraries} (FUSE3D_CUDA_LIB, then the usual directories; absent means "no CUDA", one log line).</li>
 *   <li>{@code fuse3d.cuda.nvrtc}: {@code Nvrtc} (libnvrtc.so*, FUSE3D_NVRTC_LIB; compile log in the exception).</li>
 *   <li>{@code fuse3d.cuda.kernels}: the .cu resources and {@code KernelCatalog}, the launch contract that tests hold
 *       against the sources' signatures; {@code KernelArgs} packs a launch's kernelParams.</li>
 *   <li>{@code fuse3d.cuda.runtime}: {@code CudaContext} (primary context, current on each calling thread; modules;
 *       launches), {@code CachingAllocator}, {@code DeviceBuffer}, {@code PtxCache} (~/.cache/fuse3d/cuda, atomic).</li>
 *   <li>{@code fuse3d.cuda.backend}: {@code CudaBackend} (float32 kernels; CPU fallback by copying, listed in
 *       {@code CudaBackend.FALLBACK}) and {@code CudaTensors} (host/device transfers).</li>
 *   <li>{@code fuse3d.cuda.sparse}: voxelization, GPU-hash rulebooks, sparse convolution, IoU/NMS, points-in-boxes and
 *       BEVPoolv2 with the semantics of their fuse3d.sparse references.</li>
 *   <li>{@code fuse3d.cuda.bench}: {@code CudaBench}, the figures of {@code bench tensor|sparse --device cuda}
 *       ({@code cuda-ffm/bench/pytorch_cuda_bench.py} prints PyTorch's on the same GPU).</li>
 * </ul>
 *
 * <p>Without a GPU the module still builds and proves what it can: every kernel compiles to PTX with nvcc, the bindings
 * match cuda.h, the allocator and caches run on fakes, and a dry-run context drives every launch site; the parity
 * suites skip with the reason.
 */
package fuse3d.cuda;
