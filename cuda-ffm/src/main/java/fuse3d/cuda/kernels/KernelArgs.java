package fuse3d.cuda.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Packs a launch's arguments into the {@code void** kernelParams} array that cuLaunchKernel reads: one slot per
 * parameter, each pointing at a native copy of the value of the parameter's width. The segments live in the given
 * arena, which must outlive the launch call (the driver copies the values during it).
 */
public final class KernelArgs {
    private KernelArgs() {}

    /** Checks args against spec, then packs them; returns the pointer array. */
    public static MemorySegment pack(Arena arena, KernelSpec spec, Object... args) {
        spec.check(args);
        int n = args.length;
        MemorySegment params = arena.allocate(ValueLayout.ADDRESS, Math.max(1, n));
        for (int i = 0; i < n; i++) {
            ArgKind k = spec.params().get(i);
            MemorySegment slot = arena.allocate(k.bytes(), 8);
            Object a = args[i];
            switch (k) {
                case POINTER -> slot.set(ValueLayout.JAVA_LONG, 0, a == null ? 0L : ((DevicePtr) a).address());
                case INT32 -> slot.set(ValueLayout.JAVA_INT, 0, (Integer) a);
                case INT64 -> slot.set(ValueLayout.JAVA_LONG, 0, (Long) a);
                case FLOAT32 -> slot.set(ValueLayout.JAVA_FLOAT, 0, (Float) a);
                case FLOAT64 -> slot.set(ValueLayout.JAVA_DOUBLE, 0, (Double) a);
            }
            params.setAtIndex(ValueLayout.ADDRESS, i, slot);
        }
        return params;
    }
}
