package fuse3d.nn.optim;

import static fuse3d.nn.optim.OptimTesting.assertBits;
import static fuse3d.nn.optim.OptimTesting.grad;
import static fuse3d.nn.optim.OptimTesting.param;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** clip_grad_norm_ semantics: the returned pre-clip norm, never a larger norm after, inf norm, edge cases. */
class GradClipTest {

    private static double l2(List<Var> ps) {
        double s = 0;
        for (Var p : ps) if (p.grad() != null) for (float v : p.grad().toFloatArray()) s += (double) v * v;
        return Math.sqrt(s);
    }

    @Test
    void clipsToMaxNormAndReturnsThePreClipNorm() {
        Generator g = new Generator(5);
        for (int trial = 0; trial < 200; trial++) {
            List<Var> ps = new ArrayList<>();
            int n = 1 + (int) g.nextLong(4);
            for (int i = 0; i < n; i++) {
                Var p = Var.leaf(g.normal(0, 1, 1 + (int) g.nextLong(20)));
                if (g.nextDouble() < 0.8) p.setGrad(g.normal(0, Math.exp(4 * g.nextDouble() - 2), p.shape()));
                ps.add(p);
            }
            double before = l2(ps);
            double maxNorm = Math.exp(3 * g.nextDouble() - 1.5);
            double total = GradClip.clipGradNorm(ps, maxNorm);
            assertEquals(before, total, 1e-6 * before + 1e-30, "returns the norm before clipping");
            double after = l2(ps);
            assertTrue(after <= before * (1 + 1e-6), "never increases the norm: " + before + " -> " + after);
            if (before > maxNorm * 1.001) assertEquals(maxNorm, after, 1e-5 * maxNorm, "clipped to max_norm");
            else assertEquals(before, after, 1e-6 * before, "small enough gradients are left alone");
        }
    }

    @Test
    void gradientsBelowTheLimitAreUntouched() {
        Var p = param(0, 0, 0);
        grad(p, 0.3f, -0.4f, 0f);
        assertEquals(0.5, GradClip.clipGradNorm(List.of(p), 1.0), 1e-7);
        assertBits(new float[] {0.3f, -0.4f, 0f}, p.grad().toFloatArray(), "unchanged");
    }

    @Test
    void infinityNorm() {
        Var a = param(0, 0), b = param(0);
        grad(a, 1f, -4f);
        grad(b, 2f);
        double total = GradClip.clipGradNorm(List.of(a, b), 2.0, Double.POSITIVE_INFINITY, false);
        assertEquals(4.0, total);
        // coefficient float32(2 * (1 / (4 + 1e-6)))
        float c = 2f * (1f / (4f + 1e-6f));
        assertBits(new float[] {c, -4f * c}, a.grad().toFloatArray(), "a");
        assertBits(new float[] {2f * c}, b.grad().toFloatArray(), "b");
    }

    @Test
    void edgeCases() {
        Var p = param(1f);
        assertEquals(0.0, GradClip.clipGradNorm(List.of(p), 1.0), "no gradients: 0");
        grad(p, Float.NaN);
        assertTrue(Double.isNaN(GradClip.clipGradNorm(List.of(p), 1.0)));
        grad(p, Float.POSITIVE_INFINITY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradClip.clipGradNorm(List.of(p), 1.0, 2, true));
        assertTrue(e.getMessage().contains("the total norm of order 2.0 of the gradients is Infinity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(List.of(p), 1.0, 0, false));
        // L1
        grad(p, -3f);
        assertEquals(3.0, GradClip.clipGradNorm(List.of(p), 10.0, 1, false));
    }
}
