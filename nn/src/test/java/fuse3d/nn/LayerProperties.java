package fuse3d.nn;

import static fuse3d.tensor.testing.Closeness.assertClose;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Laws of the layers over random shapes and values. */
class LayerProperties {

    @Property(tries = 50)
    void sequentialOfIdentitiesIsTheIdentity(@ForAll @IntRange(min = 0, max = 5) int depth, @ForAll @IntRange(min = 1, max = 4) int n,
                                             @ForAll @IntRange(min = 1, max = 6) int c, @ForAll long seed) {
        Sequential s = new Sequential();
        for (int i = 0; i < depth; i++) s.add(new Identity());
        Tensor x = new Generator(seed).normal(0, 1, n, c);
        assertClose(s.apply(Var.of(x)).data(), x, 0, 0);
    }

    @Property(tries = 40)
    void trainingBatchNormGivesEachChannelMeanZeroAndVarianceOne(@ForAll @IntRange(min = 2, max = 4) int n, @ForAll @IntRange(min = 1, max = 4) int c,
                                                                @ForAll @IntRange(min = 1, max = 5) int h, @ForAll @IntRange(min = 1, max = 5) int w,
                                                                @ForAll long seed) {
        Generator g = new Generator(seed);
        Tensor x = g.normal(DType.FLOAT64, 3, 2, n, c, h, w);
        BatchNorm2d bn = new BatchNorm2d(c, 1e-12, 0.1);
        bn.to(DType.FLOAT64);
        Tensor y = bn.apply(Var.of(x)).data();
        int[] dims = {0, 2, 3};
        assertClose(y.mean(dims, false), Tensor.zeros(DType.FLOAT64, c), 0, 1e-9);
        assertClose(y.var(dims, 0, false), Tensor.ones(DType.FLOAT64, c), 0, 1e-6);
    }

    @Property(tries = 40)
    void evaluationBatchNormWithFreshStatsDividesBySqrtOnePlusEps(@ForAll @IntRange(min = 1, max = 3) int n, @ForAll @IntRange(min = 1, max = 4) int c,
                                                                  @ForAll @IntRange(min = 1, max = 6) int l, @ForAll long seed) {
        Tensor x = new Generator(seed).normal(0, 3, n, c, l);
        BatchNorm1d bn = new BatchNorm1d(c);
        bn.eval();
        assertClose(bn.apply(Var.of(x)).data(), x.div(Math.sqrt(1 + 1e-5)));
    }
}
