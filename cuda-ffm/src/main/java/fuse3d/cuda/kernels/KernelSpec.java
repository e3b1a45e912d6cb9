package fuse3d.cuda.kernels;

import java.util.List;

/**
 * One extern "C" __global__ entry point: the resource it lives in, its name and the kinds of its parameters in order;
 * {@link #check} tests a launch's Java arguments against them.
 */
public record KernelSpec(String source, String name, List<ArgKind> params) {
    public KernelSpec {
        params = List.copyOf(params);
    }

    /** Parses a descriptor such as "p p l i f" (see {@link ArgKind#code()}). */
    static KernelSpec of(String source, String name, String descriptor) {
        String d = descriptor.replace(" ", "");
        ArgKind[] kinds = new ArgKind[d.length()];
        for (int i = 0; i < kinds.length; i++) kinds[i] = ArgKind.ofCode(d.charAt(i));
        return new KernelSpec(source, name, List.of(kinds));
    }

    /**
     * Checks that args match the parameters one to one: {@link DevicePtr} (or null, the null pointer) for a pointer,
     * Integer for int32, Long for int64, Float for float32, Double for float64. Throws naming the kernel, the position,
     * what it expected and what it got.
     */
    public void check(Object... args) {
        if (args.length != params.size())
            throw new IllegalArgumentException("launch " + name + " (" + source + "): expects " + params.size() + " arguments " + params + ", got "
                    + args.length);
        for (int i = 0; i < args.length; i++) {
            ArgKind k = params.get(i);
            Object a = args[i];
            boolean ok = switch (k) {
                case POINTER -> a == null || a instanceof DevicePtr;
                case INT32 -> a instanceof Integer;
                case INT64 -> a instanceof Long;
                case FLOAT32 -> a instanceof Float;
                case FLOAT64 -> a instanceof Double;
            };
            if (!ok)
                throw new IllegalArgumentException("launch " + name + " (" + source + "): argument " + i + " must be " + k + ", got "
                        + (a == null ? "null" : a.getClass().getSimpleName() + " " + a));
        }
    }
}
