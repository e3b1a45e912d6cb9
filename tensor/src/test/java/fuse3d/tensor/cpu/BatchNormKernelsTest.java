package fuse3d.tensor.cpu;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import fuse3d.tensor.F;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The fused BatchNorm backward against its float64 definition, in training and evaluation, over odd plane sizes. */
class BatchNormKernelsTest {
    /** dx = scale (g - mean(g) - xhat mean(g xhat)) in training, g scale otherwise; sums of g and g xhat per channel. */
    private static Tensor[] reference(Tensor g, Tensor x, Tensor mean, Tensor invStd, Tensor scale, boolean training) {
        int[] dims = new int[x.dim() - 1];
        for (int i = 0, k = 0; i < x.dim(); i++) if (i != 1) dims[k++] = i;
        int[] per = new int[x.dim()];
        java.util.Arrays.fill(per, 1);
        per[1] = x.size(1);
        Tensor gd = g.toDouble(), m = mean.toDouble().reshape(per), is = invStd.toDouble().reshape(per), sc = scale.toDouble().reshape(per);
        Tensor xhat = x.toDouble().sub(m).mul(is);
        Tensor sumG = gd.sum(dims, true), sumGX = gd.mul(xhat).sum(dims, true);
        double count = (double) x.numel() / x.size(1);
        Tensor dx = training ? gd.sub(sumG.div(count)).sub(xhat.mul(sumGX.div(count))).mul(sc) : gd.mul(sc);
        return new Tensor[] {dx.toFloat(), sumG.reshape(x.size(1)).toFloat(), sumGX.reshape(x.size(1)).toFloat()};
    }

    @Test
    void fusedBackwardMatchesTheDefinition() {
        Generator gen = new Generator(3);
        for (int[] shape : new int[][] {{2, 3, 5, 7}, {3, 4, 33}, {5, 6}, {1, 2, 16, 17}}) {
            Tensor x = gen.normal(2, 3, shape), g = gen.normal(0, 1, shape);
            int c = shape[1];
            Tensor mean = gen.normal(2, 0.5, c), invStd = gen.uniform(0.2, 1.5, c), scale = invStd.mul(gen.uniform(0.5, 2, c));
            for (boolean training : new boolean[] {true, false}) {
                Tensor[] fused = F.batchNormBackward(g, x, mean, invStd, scale, training, true);
                Tensor[] ref = reference(g, x, mean, invStd, scale, training);
                for (int i = 0; i < 3; i++) assertClose(fused[i], ref[i], 1e-4, 1e-4);
            }
            assertNull(F.batchNormBackward(g, x, mean, invStd, scale, true, false)[0], "no input gradient when not asked");
        }
        // a transposed (non-contiguous) gradient gives the same numbers as its contiguous copy
        Tensor x = gen.normal(0, 1, 4, 3, 6), g = gen.normal(0, 1, 4, 6, 3).transpose(1, 2);
        Tensor mean = gen.normal(0, 1, 3), invStd = gen.uniform(0.5, 1, 3);
        assertClose(F.batchNormBackward(g, x, mean, invStd, invStd, true, true)[0],
                F.batchNormBackward(g.contiguous(), x, mean, invStd, invStd, true, true)[0], 0, 0);
    }

    /** [N, C] features (plane 1) walked row by row give the per-channel path's bits exactly. */
    @Test
    void rowWalkEqualsChannelWalk() {
        Generator gen = new Generator(5);
        for (int[] nc : new int[][] {{37, 16}, {5, 3}, {200, 64}, {2, 1}}) {
            int n = nc[0], c = nc[1];
            float[] x = gen.normal(1, 2, n, c).toFloatArray(), g = gen.normal(0, 1, n, c).toFloatArray();
            g[0] = -0f;
            float[] mean = gen.normal(1, 0.5, c).toFloatArray(), invStd = gen.uniform(0.2, 1.5, c).toFloatArray(),
                    scale = gen.uniform(0.5, 2, c).toFloatArray();
            for (boolean training : new boolean[] {true, false}) {
                float[][] a = {new float[n * c], new float[c], new float[c]}, b = {new float[n * c], new float[c], new float[c]};
                BatchNormKernels.backward(g, 0, x, 0, n, c, 1, mean, invStd, scale, training, a[0], a[1], a[2], true);
                BatchNormKernels.backward(g, 0, x, 0, n, c, 1, mean, invStd, scale, training, b[0], b[1], b[2], false);
                for (int i = 0; i < 3; i++) assertArrayEquals(b[i], a[i]);
            }
        }
    }
}
