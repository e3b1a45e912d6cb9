package fuse3d.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The switch between the Vector API kernels and their plain scalar twins.
 *
 * <p>{@code -Dfuse3d.simd=false} makes every kernel run its scalar twin, so the two can be compared and a
 * suspected SIMD bug can be ruled in or out from the command line.
 */
public final class Simd {
    /** The float species every SIMD kernel uses (static final so C2 treats it as a constant). */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** True unless {@code -Dfuse3d.simd=false}. */
    public static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("fuse3d.simd", "true"));

    private Simd() {}

    /**
     * Sum of a vector's lanes from lane 0 upwards. {@code reduceLanes(ADD)} leaves the order unspecified,
     * and the interpreter's order differs from C2's intrinsic, so a kernel using it could give different
     * bits for the same input before and after JIT compilation; the registry's determinism property
     * caught exactly that.
     */
    public static float sumLanes(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }

    /** One line for logs: the active species or the fact that the scalar twins run. */
    public static String describe() {
        return ENABLED
                ? "simd=on species=" + F + " lanes=" + F.length() + " bits=" + F.vectorBitSize()
                : "simd=off (scalar twins, -Dfuse3d.simd=false)";
    }
}
