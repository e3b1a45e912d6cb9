package fuse3d.cuda.emu;

import static fuse3d.tensor.testing.Closeness.assertClose;

import fuse3d.cuda.runtime.CudaContext;
import fuse3d.tensor.BinaryOp;
import fuse3d.tensor.Device;
import fuse3d.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.junit.jupiter.api.Assumptions;

/**
 * Properties of the strided index math on the emulated device: for random shapes of rank 0..4 (with size-1 dims that
 * broadcast), random permutations and dyadic values (exact in float32), a binary op, a unary op on a permuted view
 * and a sum over a random dim set equal the CPU reference.
 */
class EmulatedElementwiseProperties {
    static final int ORDINAL = 4;
    static final Device DEV = Device.cuda(ORDINAL);
    private static CudaContext ctx;

    @BeforeProperty
    void needsEmulator() {
        String why = CudaEmulator.unavailable();
        Assumptions.assumeTrue(why == null, why);
        synchronized (EmulatedElementwiseProperties.class) {
            if (ctx == null) ctx = CudaEmulator.install(ORDINAL);
        }
    }

    @AfterContainer
    static void uninstall() {
        if (ctx != null) ctx.close();
        ctx = null;
    }

    @Provide
    Arbitrary<int[]> shapes() { return Arbitraries.integers().between(1, 5).array(int[].class).ofMinSize(0).ofMaxSize(4); }

    private static Tensor dyadic(int[] shape, long seed) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[n];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) v[i] = (r.nextInt(129) - 64) / 16f;
        return Tensor.of(v, shape);
    }

    @Property(tries = 40)
    void broadcastBinaryMatchesTheCpu(@ForAll("shapes") int[] shape, @ForAll long seed, @ForAll("ops") BinaryOp op) {
        int[] other = shape.clone();
        java.util.Random r = new java.util.Random(seed);
        for (int d = 0; d < other.length; d++) if (r.nextBoolean()) other[d] = 1; // broadcast this dim
        Tensor a = dyadic(shape, seed), b = dyadic(other, seed + 1);
        Tensor e = Tensor.binary(op, a, b), got = Tensor.binary(op, a.to(DEV), b.to(DEV)).to(Device.CPU);
        assertClose(got.toDouble(), e.toDouble(), 0, 0, true, op + " " + java.util.Arrays.toString(shape) + " x " + java.util.Arrays.toString(other));
    }

    @Provide
    Arbitrary<BinaryOp> ops() {
        return Arbitraries.of(BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.MAXIMUM, BinaryOp.LT, BinaryOp.EQ, BinaryOp.FLOOR_DIVIDE);
    }

    @Property(tries = 40)
    void permutedUnaryAndSumsMatchTheCpu(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Tensor x = dyadic(shape, seed);
        int[] perm = new int[shape.length];
        for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
        Tensor xp = x.permute(perm), dp = x.to(DEV).permute(perm);
        assertClose(dp.abs().to(Device.CPU), xp.abs(), 0, 0, false, "abs of a permuted view");
        java.util.Random r = new java.util.Random(seed);
        java.util.List<Integer> dims = new java.util.ArrayList<>();
        for (int d = 0; d < shape.length; d++) if (r.nextBoolean()) dims.add(d);
        if (dims.isEmpty()) return;
        int[] ds = dims.stream().mapToInt(Integer::intValue).toArray();
        // dyadic values with at most 625 terms: every partial sum is exact, so any summation order agrees
        assertClose(dp.sum(ds, true).to(Device.CPU), xp.sum(ds, true), 0, 0, false, "sum " + dims);
        assertClose(dp.amax(ds, false).to(Device.CPU), xp.amax(ds, false), 0, 0, false, "amax " + dims);
    }
}
