package fuse3d.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
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

    // exp: x clamped to [EXP_LO, EXP_HI] (beyond them the result is 0 or +inf), x = n ln2 + r with ln2 split in
    // two (the high part has few bits, so n * LN2_HI is exact), exp(r) by Cephes' expf polynomial on
    // |r| <= ln2 / 2, then scaled by 2^n in two halves so that subnormal results and n = 128 need no special case
    private static final float EXP_LO = -104f, EXP_HI = 88.8f, LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float MAGIC = 12582912f; // 1.5 * 2^23: adding it rounds to an integer kept in the low bits
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
            P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /**
     * e^x in every lane, within 2 ulp of {@link Math#exp} for normal results (0 below about -103.9, +inf above
     * 88.72, NaN for NaN). Built only from lane ops whose IEEE results are exact (min, max, fma, add, mul, integer
     * shifts), so it gives the same bits interpreted and compiled; {@code lanewise(EXP)} does not (C2 swaps in
     * an SVML routine whose last bit differs from the Java fallback in some lanes), which made identical training
     * runs drift apart. {@link #expScalar} is its lane-for-lane twin.
     */
    public static FloatVector exp(FloatVector x) {
        VectorSpecies<Float> sp = x.species();
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = xc.fma(LOG2E, MAGIC);
        FloatVector n = t.sub(MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(sp, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(sp, -LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(sp, P2));
        p = p.fma(r, FloatVector.broadcast(sp, P3));
        p = p.fma(r, FloatVector.broadcast(sp, P4));
        p = p.fma(r, FloatVector.broadcast(sp, P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector ni = t.reinterpretAsInts().sub(MAGIC_BITS);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(s1).mul(s2);
    }

    /** {@link #exp(FloatVector)} for one float, the same operations in the same order (the same bits). */
    public static float expScalar(float x) {
        float xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(xc, LOG2E, MAGIC);
        float n = t - MAGIC;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, P0, P1), r, P2), r, P3), r, P4), r, P5);
        float y = Math.fma(p, r * r, r) + 1f;
        int ni = Float.floatToRawIntBits(t) - MAGIC_BITS;
        int n1 = ni >> 1, n2 = ni - n1;
        return y * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    /** One line for logs: the active species or the fact that the scalar twins run. */
    public static String describe() {
        return ENABLED
                ? "simd=on species=" + F + " lanes=" + F.length() + " bits=" + F.vectorBitSize()
                : "simd=off (scalar twins, -Dfuse3d.simd=false)";
    }
}
